/**
 * The sink's Lua scripts (sinks/redis/lua/*.lua): read once, their SHA-1
 * computed locally so EVALSHA can be sent without a round trip, loaded into
 * Redis with SCRIPT LOAD at start and again whenever Redis answers NOSCRIPT
 * (its script cache is emptied by a restart, a failover or SCRIPT FLUSH).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';

export const SCRIPT_FILES = {
  applyOrderStates: 'apply-order-states.lua',
  deleteOrder: 'delete-order.lua',
  applyFraudCounters: 'apply-fraud-counters.lua',
  addFraudAlerts: 'add-fraud-alerts.lua',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

export interface LuaScript {
  readonly name: ScriptName;
  readonly source: string;
  readonly sha: string;
}

export function loadScriptSources(directory = path.join(__dirname, 'lua')): Record<ScriptName, LuaScript> {
  const scripts = {} as Record<ScriptName, LuaScript>;
  for (const name of Object.keys(SCRIPT_FILES) as ScriptName[]) {
    const file = path.join(directory, SCRIPT_FILES[name]);
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the Redis sink's Lua script ${file}: ${error instanceof Error ? error.message : String(error)}; is the checkout complete?`, {
        cause: error,
      });
    }
    scripts[name] = { name, source, sha: createHash('sha1').update(source).digest('hex') };
  }
  return scripts;
}

/** Whether a Redis error says a script is not in its cache. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

export class LuaScripts {
  readonly byName: Record<ScriptName, LuaScript>;

  constructor(scripts: Record<ScriptName, LuaScript> = loadScriptSources()) {
    this.byName = scripts;
  }

  sha(name: ScriptName): string {
    return this.byName[name].sha;
  }

  /** SCRIPT LOAD of every script; checks Redis computed the same SHA-1 (it always does, unless the source was altered in between). */
  async load(redis: Redis): Promise<void> {
    for (const script of Object.values(this.byName)) {
      const sha = await redis.script('LOAD', script.source);
      if (sha !== script.sha) {
        throw new Error(`Redis loaded ${SCRIPT_FILES[script.name]} as ${String(sha)}, expected ${script.sha}`);
      }
    }
  }
}
