/**
 * A problem in schemas/: the message says what is wrong, in which file, and
 * how to fix it, because the reader is usually someone who just edited an
 * .avsc file and ran the tests or the generator.
 */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';

  constructor(
    readonly file: string,
    problem: string,
    fix: string,
  ) {
    super(`${file}: ${problem}. ${fix}`);
  }
}
