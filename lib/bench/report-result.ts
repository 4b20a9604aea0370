/** How every benchmark ends: its result as JSON in a file (what `npm run bench` collects), then a table or the JSON on stdout. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function reportBenchResult(out: string, result: unknown, asJson: boolean, table: () => string): Promise<void> {
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(out, json);
  process.stdout.write(asJson ? json : `${table()}\nresult written to ${out}\n`);
}
