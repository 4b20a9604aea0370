/**
 * Where the repository is, and how its entry points run. Services and tools
 * run compiled (scripts/build writes dist/), with plain node, never through a
 * TypeScript loader; tests run the sources. Both find the root the same way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: is this a checkout of the project?`);
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
export const DIST_DIR = path.join(PROJECT_ROOT, 'dist');

/** The compiled file of a source entry point given relative to the root, e.g. processors/validator/main.ts. */
export function builtEntry(main: string): string {
  const relative = path.isAbsolute(main) ? path.relative(PROJECT_ROOT, main) : main;
  const file = path.join(DIST_DIR, relative.replace(/\.ts$/, '.js'));
  if (!existsSync(file)) throw new Error(`${path.relative(PROJECT_ROOT, file)} does not exist: build the project first (scripts/build; scripts/test does it)`);
  return file;
}

/** Arguments for `spawn(process.execPath, …)` that run an entry point compiled. */
export function nodeArgs(main: string, ...args: string[]): string[] {
  return ['--enable-source-maps', builtEntry(main), ...args];
}
