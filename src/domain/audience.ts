import { approverLists, isGroupId } from './policy.js';
import type { MutationRequest } from './request.js';

// Who a request concerns (issue 18): the channel it was posted in, the people who asked for it
// or decided it, and the approvers its frozen rules name (or, when no rule names any, whoever
// APPROVER_USER_IDS lists). Each is a key; a reader holds keys too (the channel they are in,
// their own id, their user groups), and may see a request when the two share one. The stores
// index requests by these keys, so `history` costs what it shows, not what is stored.

/** The key of requests whose approvers are APPROVER_USER_IDS (no matched rule names any). */
export const DEFAULT_APPROVERS_KEY = 'approvers:default';

export const channelKey = (channelId: string) => `channel:${channelId}`;
export const userKey = (userId: string) => `user:${userId}`;
export const groupKey = (groupId: string) => `group:${groupId}`;

const approverKey = (id: string) => (isGroupId(id) ? groupKey(id) : userKey(id));

/** Every key of a request, without repeats, in a stable order. */
export function audienceOf(
  request: Pick<MutationRequest, 'channelId' | 'requesterId' | 'decision' | 'approval'>,
): string[] {
  const keys = new Set<string>();
  if (request.channelId) keys.add(channelKey(request.channelId));
  keys.add(userKey(request.requesterId));
  if (request.decision?.by) keys.add(userKey(request.decision.by));
  for (const a of request.approval.approvals) keys.add(userKey(a.by));
  // An empty default list stands for APPROVER_USER_IDS, whatever it says when someone reads.
  const lists = approverLists(request.approval.rules, []);
  for (const list of lists) {
    if (list.length === 0) keys.add(DEFAULT_APPROVERS_KEY);
    for (const id of list) keys.add(approverKey(id));
  }
  return [...keys];
}

/** What a reader holds: where they read, who they are, and how they may approve. */
export interface Reader {
  /** Where the command runs; absent for App Home. */
  channelId?: string;
  userId: string;
  /** User groups (S…) the reader is a member of, among those the policy names. */
  groups: readonly string[];
  /** On APPROVER_USER_IDS, directly or through one of those groups. */
  defaultApprover: boolean;
}

export function readerKeys(reader: Reader): string[] {
  const keys = [userKey(reader.userId), ...reader.groups.map(groupKey)];
  if (reader.channelId) keys.push(channelKey(reader.channelId));
  if (reader.defaultApprover) keys.push(DEFAULT_APPROVERS_KEY);
  return keys;
}

/** Whether the reader may see this request: posted where they are, or concerning them. */
export function mayRead(
  request: Pick<MutationRequest, 'channelId' | 'requesterId' | 'decision' | 'approval'>,
  reader: Reader,
): boolean {
  const held = new Set(readerKeys(reader));
  return audienceOf(request).some((key) => held.has(key));
}
