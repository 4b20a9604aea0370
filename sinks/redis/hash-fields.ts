/** A Redis hash as the sink writes and reads it: field → string. */
export type HashFields = Record<string, string>;

/** A key whose content is not what the Redis sink writes (another program wrote it, or an older layout). */
export class HashFormatError extends Error {
  override readonly name = 'HashFormatError';
}

/** field, value, field, value… as HSET takes them. */
export function flattenFields(fields: HashFields): string[] {
  const flat: string[] = [];
  for (const name in fields) flat.push(name, fields[name] as string);
  return flat;
}
