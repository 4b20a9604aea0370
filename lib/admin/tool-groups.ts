/**
 * Consumer groups the tools create for a moment (partition readers,
 * timestamp lookups): listings of the pipeline's groups leave them out.
 */
const TOOL_GROUP = /(^streamfold-timestamps-|-reader-[0-9a-f-]{36}$)/;

export function isToolGroup(groupId: string): boolean {
  return TOOL_GROUP.test(groupId);
}
