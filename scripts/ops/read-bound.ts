/**
 * Where a time-bounded read of a partition stops, from the broker's
 * offsets-for-times answer (ListOffsets by timestamp): the first offset whose
 * record timestamp is at or after the time, or -1 when no record is, in which
 * case the whole partition is older and the read goes to the end.
 */
/** End offsets (exclusive) per partition from the answer (offset by partition); a partition without a bound is read to its end. */
export function endOffsetsAt(answer: ReadonlyMap<number, number>): Map<number, number> {
  const ends = new Map<number, number>();
  for (const [partition, offset] of answer) {
    if (offset >= 0) ends.set(partition, offset);
  }
  return ends;
}
