/**
 * Writes schemas/generated/types.ts from the .avsc files and schemas/catalog.ts.
 *
 *   npx tsx scripts/gen-types.ts           regenerate
 *   npx tsx scripts/gen-types.ts --check   exit 1 if the committed file is stale (CI)
 */
import * as fs from 'fs';
import { GENERATED_TYPES_DISPLAY, GENERATED_TYPES_FILE, REGENERATE_COMMAND, renderTypes } from '../schemas/codegen/render-types';
import { loadSchemaCatalog } from '../schemas/load';

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument(s): ${unknown.join(' ')}\nusage: ${REGENERATE_COMMAND} [--check]\n`);
    return 2;
  }
  const expected = renderTypes(loadSchemaCatalog());
  const current = readIfExists(GENERATED_TYPES_FILE);
  if (argv.includes('--check')) {
    if (current === expected) {
      process.stdout.write(`${GENERATED_TYPES_DISPLAY} is up to date\n`);
      return 0;
    }
    process.stderr.write(
      `${GENERATED_TYPES_DISPLAY} is ${current === undefined ? 'missing' : 'stale'}: the .avsc files or schemas/catalog.ts changed. Run ${REGENERATE_COMMAND} and commit the result.\n`,
    );
    return 1;
  }
  if (current === expected) {
    process.stdout.write(`${GENERATED_TYPES_DISPLAY} already up to date\n`);
  } else {
    fs.writeFileSync(GENERATED_TYPES_FILE, expected);
    process.stdout.write(`wrote ${GENERATED_TYPES_DISPLAY}\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  // SchemaError messages already say which file and how to fix it; no stack needed.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
