/**
 * The versions scripts/infra installs, read from scripts/infra.d/infra.env
 * (declared once there); an environment variable of the same name wins, as
 * it does for scripts/infra.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project-root';

export const INFRA_ENV_FILE = path.join(PROJECT_ROOT, 'scripts', 'infra.d', 'infra.env');

export function infraSetting(name: string): string | undefined {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const line of readFileSync(INFRA_ENV_FILE, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] === name) return match[2];
  }
  return undefined;
}
