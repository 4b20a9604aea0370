/** A lone UTF-16 surrogate has no UTF-8 form: sent to ClickHouse it would arrive replaced by U+FFFD, a different string. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}
