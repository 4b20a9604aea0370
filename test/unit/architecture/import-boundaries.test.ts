/**
 * The layout's rules, read from the import statements of the source tree:
 * - the Kafka client is used through lib/kafka/ only (unit tests may build
 *   its error classes and fakes), and kafkajs not at all;
 * - sinks and producers never reach into a processor's folder (shared code
 *   lives in lib/);
 * - services and lib/ do not import the operations layer (scripts/); the
 *   benchmarks still spread over service folders are the exception until
 *   they move under scripts/bench/;
 * - lib/domain/ is pure: it imports schemas/ and itself, and no I/O
 *   (node:crypto, for deterministic ids, is the one built-in it uses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/service/project-root';

const SOURCE_DIRS = ['lib', 'processors', 'producers', 'sinks', 'scripts', 'schemas', 'test'];
const IMPORT = /(?:from\s+|import\s+|require\(\s*)['"]([^'"]+)['"]/g;

interface Import {
  /** the importing file, relative to the root */
  readonly file: string;
  /** a relative import resolved against the root ('lib/kafka/clients'), or the package name as written */
  readonly target: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sources(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

const imports: Import[] = SOURCE_DIRS.flatMap((dir) => sources(path.join(PROJECT_ROOT, dir))).flatMap((full) => {
  const file = path.relative(PROJECT_ROOT, full).split(path.sep).join('/');
  return [...readFileSync(full, 'utf8').matchAll(IMPORT)].map((m) => {
    const spec = m[1]!;
    const target = spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : spec;
    return { file, target };
  });
});

const under = (file: string, ...dirs: string[]) => dirs.some((dir) => file.startsWith(`${dir}/`));
const show = ({ file, target }: Import) => `${file} imports ${target}`;

test('the import scan sees the tree (a scan that finds nothing would pass every rule)', () => {
  expect(imports.some((i) => i.file === 'lib/kafka/clients.ts' && i.target === '@platformatic/kafka')).toBe(true);
  expect(imports.some((i) => i.file.startsWith('sinks/') && i.target.startsWith('lib/streaming/'))).toBe(true);
});

test('only lib/kafka/ (and unit tests) import the Kafka client; nothing imports kafkajs', () => {
  const client = (target: string) => target === 'kafkajs' || target.startsWith('kafkajs/') || target.startsWith('@platformatic/kafka');
  const offending = imports.filter((i) => client(i.target) && (i.target.startsWith('kafkajs') || !under(i.file, 'lib/kafka', 'test/unit')));
  expect(offending.map(show)).toEqual([]);
});

test("sinks and producers do not import from a processor's folder", () => {
  expect(imports.filter((i) => under(i.file, 'sinks', 'producers') && under(i.target, 'processors')).map(show)).toEqual([]);
});

test('services and lib/ do not import scripts/ (benchmarks aside)', () => {
  const bench = (file: string) => /(^|\/)bench\//.test(file);
  expect(imports.filter((i) => under(i.file, 'lib', 'processors', 'producers', 'sinks') && !bench(i.file) && under(i.target, 'scripts')).map(show)).toEqual([]);
});

test('lib/domain imports only schemas/ and itself', () => {
  const allowed = (target: string) => under(target, 'lib/domain', 'schemas') || target === 'node:crypto';
  expect(imports.filter((i) => under(i.file, 'lib/domain') && !allowed(i.target)).map(show)).toEqual([]);
});
