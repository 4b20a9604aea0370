/**
 * The project talks to Kafka through lib/kafka/ only: no other source file
 * imports the client (unit tests may, to build its error classes and fakes),
 * and kafkajs is not used at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/service/project-root';

const SOURCE_DIRS = ['lib', 'processors', 'producers', 'sinks', 'scripts', 'schemas', 'test'];
const CLIENT_IMPORT = /(?:from\s+|require\(\s*)['"](@platformatic\/kafka|kafkajs)(?:\/[^'"]*)?['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sources(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

function allowed(file: string, client: string): boolean {
  if (client === 'kafkajs') return false;
  return file.startsWith(`lib${path.sep}kafka${path.sep}`) || file.startsWith(`test${path.sep}unit${path.sep}`);
}

test('only lib/kafka/ (and unit tests) import the Kafka client; nothing imports kafkajs', () => {
  const offending = SOURCE_DIRS.flatMap((dir) => sources(path.join(PROJECT_ROOT, dir))).flatMap((full) => {
    const file = path.relative(PROJECT_ROOT, full);
    const clients = [...readFileSync(full, 'utf8').matchAll(CLIENT_IMPORT)].map((m) => m[1]!);
    return clients.filter((client) => !allowed(file, client)).map((client) => `${file} imports ${client}`);
  });
  expect(offending).toEqual([]);
});
