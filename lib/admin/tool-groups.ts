/**
 * Consumer groups the tools create for a moment (partition readers,
 * timestamp lookups): listings of the pipeline's groups leave them out.
 */
import { TIMESTAMP_GROUP_PREFIX } from './record-timestamps';

// partition readers (processors/runtime/partition-reader.ts) are `<prefix>-reader-<uuid>`
const TOOL_GROUP = new RegExp(`(^${TIMESTAMP_GROUP_PREFIX}|-reader-[0-9a-f-]{36}$)`);

export function isToolGroup(groupId: string): boolean {
  return TOOL_GROUP.test(groupId);
}
