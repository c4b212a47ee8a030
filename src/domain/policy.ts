import type { MatchedRule, Preview } from './request.js';

// Who must say yes (issue 12): a quorum, rules by tag and size, user groups. Pure: user-group
// membership is looked up by the caller and passed in.

export interface PolicyRule {
  name: string;
  /** Every condition given must hold. `restarts`: the request restarts instances. */
  match: {
    tag?: { key: string; value: string };
    instancesOver?: number;
    restarts?: true;
    /** ACCOUNTS_FILE: requests of this account (`default` without the file). */
    account?: string;
  };
  approvals: number;
  /** User (U…/W…) and user-group (S…) ids; absent = the default approvers. */
  approvers?: string[];
}

export interface ApprovalPolicy {
  /** MIN_APPROVALS: distinct approvers every request needs. */
  minApprovals: number;
  /** APPROVER_USER_IDS: users and user groups. */
  approvers: readonly string[];
  allowSelfApproval: boolean;
  rules: readonly PolicyRule[];
}

export const isGroupId = (id: string): boolean => /^S[A-Z0-9]+$/.test(id);

/**
 * The rules a request falls under, evaluated on the preview's tags. Fail closed: when some
 * instance's tags are unknown (no preview, its read failed, or a successful answer did not list
 * it: paging stopped, a malformed entry, or not found), a tag rule that no read instance
 * satisfies still applies, marked `tags_unknown` with the counts.
 */
export function matchRules(
  policy: Pick<ApprovalPolicy, 'minApprovals' | 'rules'>,
  request: {
    instanceIds: readonly string[];
    preview?: Preview;
    restarts?: boolean;
    account?: string;
  },
): { required: number; rules: MatchedRule[] } {
  const ids = new Set(request.instanceIds);
  const count = ids.size;
  const preview = request.preview;
  const unread = new Set(preview?.unread ?? []);
  const listed = new Set((preview?.instances ?? []).map((i) => i.instanceId));
  const unknown = { unread: 0, missing: 0 };
  for (const id of ids) {
    if (!preview || unread.has(id)) unknown.unread++;
    else if (!listed.has(id)) unknown.missing++;
  }
  const tagsUnknown = unknown.unread + unknown.missing > 0;
  const rules: MatchedRule[] = [];
  for (const rule of policy.rules) {
    const { tag, instancesOver, restarts, account } = rule.match;
    if (instancesOver !== undefined && !(count > instancesOver)) continue;
    if (restarts && !request.restarts) continue;
    if (account !== undefined && account !== (request.account ?? 'default')) continue;
    let reason: MatchedRule['reason'] =
      instancesOver !== undefined
        ? 'size'
        : restarts
          ? 'restarts'
          : account !== undefined
            ? 'account'
            : 'size';
    if (tag) {
      const carried = (preview?.instances ?? []).some((i) =>
        i.tags.some((t) => t.key === tag.key && t.value === tag.value),
      );
      if (carried) reason = 'tag';
      else if (tagsUnknown) reason = 'tags_unknown';
      else continue;
    }
    rules.push({
      name: rule.name,
      approvals: rule.approvals,
      ...(rule.approvers ? { approvers: [...rule.approvers] } : {}),
      reason,
      ...(reason === 'tags_unknown' ? { unknownTags: { ...unknown } } : {}),
    });
  }
  const required = Math.max(policy.minApprovals, ...rules.map((r) => r.approvals));
  return { required, rules };
}

/**
 * The approver lists a click must satisfy: one per matched rule that names approvers (someone must
 * be on every one of them), or the default list when none does.
 */
export function approverLists(
  rules: readonly MatchedRule[],
  defaultApprovers: readonly string[],
): string[][] {
  const named = rules.filter((r) => r.approvers?.length).map((r) => [...(r.approvers ?? [])]);
  return named.length ? named : [[...defaultApprovers]];
}

export type MayApprove =
  | { ok: true }
  | { ok: false; reason: 'not_listed' }
  /** The user may be in a group whose members Slack could not tell us: refused (fail closed). */
  | { ok: false; reason: 'groups_unresolved'; groups: string[] };

/**
 * Whether `userId` is on every list, directly or through a user group. `members(group)` is the
 * group's member set, or undefined when it is unknown.
 */
export function mayApprove(
  lists: readonly (readonly string[])[],
  userId: string,
  members: (groupId: string) => ReadonlySet<string> | undefined,
): MayApprove {
  const unresolved = new Set<string>();
  for (const list of lists) {
    if (list.includes(userId)) continue;
    let found = false;
    const unknownHere: string[] = [];
    for (const id of list) {
      if (!isGroupId(id)) continue;
      const set = members(id);
      if (set === undefined) unknownHere.push(id);
      else if (set.has(userId)) {
        found = true;
        break;
      }
    }
    if (found) continue;
    if (unknownHere.length === 0) return { ok: false, reason: 'not_listed' };
    for (const g of unknownHere) unresolved.add(g);
  }
  if (unresolved.size) return { ok: false, reason: 'groups_unresolved', groups: [...unresolved] };
  return { ok: true };
}

/** Every user group named on the lists (to look up before a click is judged). */
export function groupsIn(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat().filter(isGroupId))];
}
