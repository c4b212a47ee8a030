import { approverLists, groupsIn, mayApprove } from '../domain/policy.js';
import {
  type DecisionKind,
  type DecisionRefusal,
  decide,
  expire,
  type MutationRequest,
} from '../domain/request.js';
import type { ServiceContext } from './context.js';

// Approve and reject clicks (a quorum of distinct approvers, any allowed rejection ends it), the
// expiry sweep and the half-TTL reminder. Every state change is one atomic store update, so on
// any number of replicas each click counts once and each timer fires once.

export type ClickRefusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  | { reason: 'approvers_unresolved'; groups: string[] }
  /** Someone of another workspace (Slack Connect) not named by id on the approver list. */
  | { reason: 'external_user'; as: 'approver' };

export type ClickResult =
  | { ok: true; request: MutationRequest; completed: boolean }
  | { ok: false; refusal: ClickRefusal };

export function createDecisions(ctx: ServiceContext, onApproved: (requestId: string) => void) {
  const { deps } = ctx;
  const { store, notifier, logger, settings } = deps;

  /**
   * Whether `userId` may decide this request: on every list its rules name (groups resolved).
   * Someone of another workspace counts only where a list names them by id: never by a group.
   */
  async function judge(request: MutationRequest, userId: string, external = false) {
    const lists = approverLists(request.approval.rules, settings.policy.approvers);
    if (external) return mayApprove(lists, userId, () => new Set<string>());
    const groups = groupsIn(lists);
    const members = groups.length ? await deps.directory.membersOf(groups) : new Map();
    return mayApprove(lists, userId, (g) => members.get(g));
  }

  async function decideRequest(input: {
    requestId: string;
    userId: string;
    kind: DecisionKind;
    /** The clicker belongs to another workspace (Slack Connect). */
    external?: boolean;
  }): Promise<ClickResult> {
    if (!ctx.isAccepting()) return { ok: false, refusal: { reason: 'shutting_down' } };
    const seen = await store.get(input.requestId);
    if (!seen)
      return { ok: false, refusal: { reason: 'unknown_request', requestId: input.requestId } };
    // The rules are frozen at submit, so judging the clicker outside the atomic update is safe.
    const verdict =
      seen.status === 'pending'
        ? await judge(seen, input.userId, input.external)
        : { ok: true as const };
    if (!verdict.ok && input.external) {
      return { ok: false, refusal: { reason: 'external_user', as: 'approver' } };
    }
    if (!verdict.ok && verdict.reason === 'groups_unresolved') {
      return { ok: false, refusal: { reason: 'approvers_unresolved', groups: verdict.groups } };
    }
    const at = ctx.now();
    let completed = false;
    const result = await store.update(input.requestId, (current) => {
      const decided = decide(current, {
        kind: input.kind,
        userId: input.userId,
        now: at,
        allowed: verdict.ok,
        allowSelfApproval: settings.policy.allowSelfApproval,
      });
      if (!decided.ok) return decided;
      completed = decided.completed;
      return { ok: true, request: decided.request };
    });
    if (!result.ok) {
      const { refusal } = result;
      return {
        ok: false,
        refusal:
          refusal.reason === 'unknown_request'
            ? { ...refusal, requestId: input.requestId }
            : refusal,
      };
    }

    const request = result.request;
    const type = !completed
      ? 'approval_counted'
      : request.status === 'approved'
        ? 'approved'
        : 'rejected';
    logger.info(`request ${type.replace('_', ' ')}`, {
      requestId: request.id,
      kind: request.kind,
      by: input.userId,
      approvals: request.approval.approvals.length,
      required: request.approval.required,
    });
    await ctx.record({
      type,
      requestId: request.id,
      kind: request.kind,
      actor: input.userId,
      fingerprint: request.fingerprint,
      approvals: request.approval.approvals.length,
      required: request.approval.required,
    });
    deps.observer?.decisionRecorded?.(
      request.kind,
      !completed ? 'approval' : request.status === 'approved' ? 'approved' : 'rejected',
    );
    ctx.refreshCard(request.id);
    if (completed) {
      void ctx.track(
        notifier.tellRequester(request, request.status === 'approved' ? 'approved' : 'rejected'),
      );
      if (request.status === 'approved') onApproved(request.id);
      else deps.observer?.requestFinished?.(request.kind, 'rejected');
    }
    return { ok: true, request, completed };
  }

  /** Expires pending requests past their TTL: card updated, requester told. */
  async function expireDue(): Promise<number> {
    const at = ctx.now();
    let count = 0;
    for (const candidate of await store.listOpen()) {
      if (!expire(candidate, at)) continue;
      const result = await store.update(candidate.id, (current) => {
        const expired = expire(current, at);
        return expired ? { ok: true, request: expired } : { ok: false, refusal: 'not_due' };
      });
      if (!result.ok) continue;
      count++;
      const request = result.request;
      logger.info('request expired', { requestId: request.id, kind: request.kind });
      await ctx.record({ type: 'expired', requestId: request.id, kind: request.kind });
      deps.observer?.decisionRecorded?.(request.kind, 'expired');
      deps.observer?.requestFinished?.(request.kind, 'expired');
      ctx.refreshCard(request.id);
      void ctx.track(notifier.tellRequester(request, 'expired'));
    }
    return count;
  }

  /** At half the TTL, one reminder in the thread of every request still waiting for approvals. */
  async function remindDue(): Promise<number> {
    const at = ctx.now();
    let count = 0;
    for (const candidate of await store.listOpen()) {
      if (!isReminderDue(candidate, at)) continue;
      const result = await store.update(candidate.id, (current) =>
        isReminderDue(current, at)
          ? { ok: true, request: { ...current, remindedAt: at.toISOString() } }
          : { ok: false, refusal: 'not_due' },
      );
      if (!result.ok) continue;
      count++;
      await ctx.record({ type: 'reminded', requestId: candidate.id, kind: candidate.kind });
      void ctx.track(notifier.remind(result.request));
    }
    return count;
  }

  /**
   * The pending requests `userId` could approve now (App Home's "Waiting for you"): judged as a
   * click would be, not yet approved by them, and not their own unless self-approval is allowed.
   */
  async function waitingFor(userId: string): Promise<MutationRequest[]> {
    const pending = (await store.listOpen()).filter(
      (r) =>
        r.status === 'pending' &&
        !r.approval.approvals.some((a) => a.by === userId) &&
        (settings.policy.allowSelfApproval || r.requesterId !== userId),
    );
    const verdicts = await Promise.all(pending.map((r) => judge(r, userId)));
    return pending.filter((_, i) => verdicts[i]?.ok);
  }

  return { decide: decideRequest, expireDue, remindDue, waitingFor };
}

function isReminderDue(request: MutationRequest, now: Date): boolean {
  if (request.status !== 'pending' || request.remindedAt || !request.card) return false;
  const created = Date.parse(request.createdAt);
  const expires = Date.parse(request.expiresAt);
  const t = now.getTime();
  return t >= created + (expires - created) / 2 && t < expires;
}
