import { mayRead, type Reader, readerKeys } from '../domain/audience.js';
import { approverLists, groupsIn } from '../domain/policy.js';
import type { MutationRequest } from '../domain/request.js';
import type { ServiceContext } from './context.js';
import type { CheckRequester, SubmitRefusal } from './submit.js';

// `/attach-key history` and `status` (issue 18): each reader sees the requests posted in the
// channel where they ask, their own, and those they may approve or decided; nothing else, and an
// id they may not see is answered exactly like an unknown one. Only someone who may ask
// (REQUESTER_USER_IDS, ALLOWED_CHANNEL_IDS) or approve may query at all.

export interface ReadQuery {
  userId: string;
  /** Where the command runs (a DM with the bot: its D… id). */
  channelId: string;
  /** The reader belongs to another workspace (Slack Connect). */
  external?: boolean;
}

export type Found = { request: MutationRequest; archived: boolean };
export type Read<T> = { ok: true; value: T } | { ok: false; refusal: SubmitRefusal };

export function createReading(ctx: ServiceContext, checkRequester: CheckRequester) {
  const { deps } = ctx;
  const { settings } = deps;
  const policyLists = () => [
    settings.policy.approvers,
    ...settings.policy.rules.map((r) => r.approvers ?? []),
  ];

  /**
   * What the reader holds: the groups among `lists` they are a member of (someone of another
   * workspace: none), and whether APPROVER_USER_IDS names them. A group Slack cannot resolve
   * counts as not theirs: reading fails closed.
   */
  async function readerOf(
    query: ReadQuery,
    lists: readonly (readonly string[])[],
  ): Promise<Reader> {
    const named = query.external ? [] : groupsIn(lists);
    const members = named.length ? await deps.directory.membersOf(named) : new Map();
    const groups = named.filter((g) => members.get(g)?.has(query.userId));
    const approvers = settings.policy.approvers;
    return {
      channelId: query.channelId,
      userId: query.userId,
      groups,
      defaultApprover:
        approvers.includes(query.userId) || groups.some((g) => approvers.includes(g)),
    };
  }

  /** The requester rules, or being on an approver list: else the requester's refusal. */
  function gate(query: ReadQuery, reader: Reader): SubmitRefusal | undefined {
    const refusal = checkRequester(query.userId, query.channelId, query);
    // A stopping bot still answers questions: nothing is changed by one.
    if (!refusal || refusal.reason === 'shutting_down') return undefined;
    const approver =
      reader.groups.length > 0 || policyLists().some((list) => list.includes(query.userId));
    return approver ? undefined : refusal;
  }

  async function history(query: ReadQuery & { limit: number }): Promise<Read<MutationRequest[]>> {
    const reader = await readerOf(query, policyLists());
    const refusal = gate(query, reader);
    if (refusal) return { ok: false, refusal };
    const keys = readerKeys(reader);
    return { ok: true, value: await deps.store.recentConcerning({ keys, limit: query.limit }) };
  }

  /** One request by id, from the store or its archived snapshot; undefined when not theirs. */
  async function status(
    query: ReadQuery & { requestId: string },
  ): Promise<Read<Found | undefined>> {
    const refusal = gate(query, await readerOf(query, policyLists()));
    if (refusal) return { ok: false, refusal };
    const found = await find(query.requestId);
    if (!found) return { ok: true, value: undefined };
    // Its frozen rules may name groups the policy no longer does: those count for this one.
    const own = approverLists(found.request.approval.rules, settings.policy.approvers);
    const reader = await readerOf(query, [...policyLists(), ...own]);
    return { ok: true, value: mayRead(found.request, reader) ? found : undefined };
  }

  async function find(requestId: string): Promise<Found | undefined> {
    const stored = await deps.store.get(requestId);
    if (stored) return { request: stored, archived: false };
    const snapshot = await deps.audit.lastSnapshot(requestId).catch(() => undefined);
    return snapshot ? { request: snapshot, archived: true } : undefined;
  }

  return { history, status, find };
}
