import { otherMode, stopUnsent } from '../domain/guards.js';
import { decide, expire } from '../domain/lifecycle.js';
import { undoClosesAt } from '../domain/operations/undo.js';
import { approverLists, groupsIn, mayApprove } from '../domain/policy.js';
import type { DecisionKind, DecisionRefusal, MutationRequest } from '../domain/request.js';
import { accountOf, type ServiceContext } from './context.js';

// Approve and reject clicks (a quorum of distinct approvers, any allowed rejection ends it), the
// expiry sweep and the half-TTL reminder. Every state change is one atomic store update, so on
// any number of replicas each click counts once and each timer fires once.

export type ClickRefusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  /** `stale`: some were known once, but longer ago than the directory trusts (fail closed). */
  | {
      reason: 'approvers_unresolved';
      groups: string[];
      stale?: { groups: string[]; afterMinutes: number };
    }
  /** Someone of another workspace (Slack Connect) not named by id on the approver list. */
  | { reason: 'external_user'; as: 'approver' }
  | { reason: 'other_mode'; mode: 'sandbox' | 'live' }
  | { reason: 'undo_window_closed'; closedAt: string };

export type ClickResult =
  | { ok: true; request: MutationRequest; completed: boolean }
  | { ok: false; refusal: ClickRefusal };

/** `execute`: runs whatever work a request has left (its plan, or its thread note). */
export function createDecisions(ctx: ServiceContext, execute: (requestId: string) => void) {
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
    const mode = otherMode(seen, settings.sandbox);
    if (mode) return { ok: false, refusal: { reason: 'other_mode', mode } };
    // The rules are frozen at submit, so judging the clicker outside the atomic update is safe.
    const verdict =
      seen.status === 'pending'
        ? await judge(seen, input.userId, input.external)
        : { ok: true as const };
    if (!verdict.ok && input.external) {
      return { ok: false, refusal: { reason: 'external_user', as: 'approver' } };
    }
    if (!verdict.ok && verdict.reason === 'groups_unresolved') {
      const stale = deps.directory.stale?.(verdict.groups);
      const refusal = { reason: 'approvers_unresolved' as const, groups: verdict.groups };
      return { ok: false, refusal: stale ? { ...refusal, stale } : refusal };
    }
    if (verdict.ok && input.kind === 'approve' && seen.status === 'pending') {
      const closed = await undoWindowClosed(seen, input.userId);
      if (closed) return closed;
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
      ...accountOf(request),
      actor: input.userId,
      fingerprint: request.fingerprint,
      approvals: request.approval.approvals.length,
      required: request.approval.required,
    });
    deps.observer?.decisionRecorded?.(
      request.kind,
      !completed ? 'approval' : request.status === 'approved' ? 'approved' : 'rejected',
      request.account,
    );
    ctx.refreshCard(request.id);
    if (completed) {
      void ctx.track(
        notifier.tellRequester(request, request.status === 'approved' ? 'approved' : 'rejected'),
      );
      if (request.status === 'approved') execute(request.id);
      else deps.observer?.requestFinished?.(request.kind, 'rejected', request.account);
    }
    return { ok: true, request, completed };
  }

  /**
   * An undo approved after its window (UNDO_WINDOW_HOURS after the attach finished) is not run:
   * it ends unsent, and the approver is told why. Checked at the approval as well as at the ask.
   */
  async function undoWindowClosed(
    request: MutationRequest,
    userId: string,
  ): Promise<ClickResult | undefined> {
    if (request.kind !== 'undo' || !request.parentId) return undefined;
    const parent = await store.get(request.parentId);
    const closedAt = parent && undoClosesAt(parent, settings.undoWindowHours);
    const at = ctx.now();
    if (!closedAt || at.getTime() < Date.parse(closedAt)) return undefined;
    const stopped = { reason: 'undo_window_closed' as const, closedAt, at: at.toISOString() };
    const result = await store.update(request.id, (current) =>
      current.status === 'pending'
        ? { ok: true, request: stopUnsent(current, 'expired', stopped) }
        : { ok: false, refusal: 'decided' },
    );
    if (result.ok) {
      logger.info('undo approved after its window: not run', { requestId: request.id, closedAt });
      await ctx.record({
        type: 'expired',
        requestId: request.id,
        kind: request.kind,
        ...accountOf(request),
        actor: userId,
        reason: 'undo_window_closed',
        closedAt,
      });
      deps.observer?.requestFinished?.(request.kind, 'expired', request.account);
      ctx.refreshCard(request.id);
      execute(request.id); // posts the thread note
    }
    return { ok: false, refusal: { reason: 'undo_window_closed', closedAt } };
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
      await ctx.record({
        type: 'expired',
        requestId: request.id,
        kind: request.kind,
        ...accountOf(request),
      });
      deps.observer?.decisionRecorded?.(request.kind, 'expired', request.account);
      deps.observer?.requestFinished?.(request.kind, 'expired', request.account);
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
      await ctx.record({
        type: 'reminded',
        requestId: candidate.id,
        kind: candidate.kind,
        ...accountOf(candidate),
      });
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
