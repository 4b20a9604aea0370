/**
 * Consumer groups as operations tools see them: which exist, whether anyone
 * is consuming, and which topics each has committed offsets for.
 */
import type { Admin } from '../kafka/clients';
import { committedOffsets } from './committed-offsets';

export interface GroupSummary {
  readonly groupId: string;
  /** Stable, Empty, PreparingRebalance, CompletingRebalance, Dead or Unknown */
  readonly state: string;
  readonly members: number;
}

// Offsets may only move while nobody consumes: in these states a member would overwrite them.
const INACTIVE_STATES = new Set(['Empty', 'Dead']);

export class GroupActiveError extends Error {
  override readonly name = 'GroupActiveError';
}

/** Consumer groups (not Connect or other protocol types), sorted by id. */
export async function listConsumerGroups(admin: Admin): Promise<GroupSummary[]> {
  const groups = await admin.listGroups();
  const ids = [...groups.values()].filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.id);
  if (ids.length === 0) return [];
  const described = await admin.describeGroups({ groups: ids });
  return [...described.values()].map((g) => ({ groupId: g.id, state: g.state, members: g.members.size })).sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export async function describeGroup(admin: Admin, groupId: string): Promise<GroupSummary> {
  const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
  return { groupId, state: group?.state ?? 'Dead', members: group?.members.size ?? 0 };
}

/** Throws, saying why and what to do, when the group has members that would overwrite a reset. */
export async function assertGroupInactive(admin: Admin, groupId: string, howToStop: string): Promise<void> {
  const group = await describeGroup(admin, groupId);
  if (INACTIVE_STATES.has(group.state) && group.members === 0) return;
  throw new GroupActiveError(
    `consumer group ${groupId} has ${group.members} active member(s) (state ${group.state}); its offsets can only be reset while nobody consumes: ${howToStop}, then run this again`,
  );
}

/** Topics the group has committed offsets for. */
export async function committedTopics(admin: Admin, groupId: string): Promise<string[]> {
  return [...(await committedOffsets(admin, groupId)).keys()].sort();
}
