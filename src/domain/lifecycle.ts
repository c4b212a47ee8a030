// The rules for moving a request through its lifecycle (design.md §3): a decision under the
// quorum, expiry, and what is left to do once approved. Pure: the caller passes "now".

import {
  type Decision,
  type DecisionKind,
  type DecisionResult,
  FINAL_STATUSES,
  type MutationRequest,
} from './request.js';
import { MUTATING_ACTIONS, type Step, type StepState } from './step-types.js';

export function isExpired(request: MutationRequest, now: Date): boolean {
  return now.getTime() >= Date.parse(request.expiresAt);
}

/**
 * Applies an approve/reject click. Only a pending, unexpired request changes. `allowed` says
 * whether the clicker may approve this request at all (resolved by the caller: user groups are
 * I/O). An approval counts once per person; the one that completes the quorum approves the
 * request (`completed`). Any allowed approver's rejection ends it.
 */
export function decide(
  request: MutationRequest,
  click: {
    kind: DecisionKind;
    userId: string;
    now: Date;
    allowed: boolean;
    allowSelfApproval: boolean;
  },
): DecisionResult {
  const { kind, userId, now } = click;
  if (request.cancelled)
    return { ok: false, refusal: { reason: 'cancelled', ...request.cancelled } };
  if (request.status !== 'pending') {
    const decision = request.decision ?? { kind: 'expired', at: request.expiresAt };
    return { ok: false, refusal: { reason: 'already_decided', decision, status: request.status } };
  }
  if (!click.allowed) return { ok: false, refusal: { reason: 'not_approver' } };
  if (kind === 'approve' && userId === request.requesterId && !click.allowSelfApproval) {
    return { ok: false, refusal: { reason: 'self_approval' } };
  }
  if (isExpired(request, now)) {
    return { ok: false, refusal: { reason: 'expired', expiresAt: request.expiresAt } };
  }
  const at = now.toISOString();
  if (kind === 'reject') {
    const decision: Decision = { kind: 'rejected', by: userId, at };
    return { ok: true, completed: true, request: { ...request, status: 'rejected', decision } };
  }
  const { approval } = request;
  if (approval.approvals.some((a) => a.by === userId)) {
    return {
      ok: false,
      refusal: {
        reason: 'already_approved_by_you',
        approvals: approval.approvals.length,
        required: approval.required,
      },
    };
  }
  const approvals = [...approval.approvals, { by: userId, at }];
  const next = { ...request, approval: { ...approval, approvals } };
  if (approvals.length < approval.required) return { ok: true, completed: false, request: next };
  const decision: Decision = { kind: 'approved', by: userId, at };
  return { ok: true, completed: true, request: { ...next, status: 'approved', decision } };
}

/** Pending and past its TTL: the sweeper turns it into `expired`. */
export function expire(request: MutationRequest, now: Date): MutationRequest | undefined {
  if (request.status !== 'pending' || !isExpired(request, now)) return undefined;
  return {
    ...request,
    status: 'expired',
    decision: { kind: 'expired', at: now.toISOString() },
  };
}

/** The request is approved or part-way through execution: an executor must finish it. */
export function needsExecution(request: MutationRequest): boolean {
  return request.status === 'approved' || request.status === 'executing';
}

/** Execution or the results post is unfinished: some executor has work to do on it. */
export function hasWorkLeft(request: MutationRequest): boolean {
  return needsExecution(request) || awaitsResults(request);
}

/**
 * Its thread post is due: the results of a finished request, or why a stopped one never ran
 * (when it has a card to post under).
 */
export function awaitsResults(request: MutationRequest): boolean {
  if (request.resultsPostedAt) return false;
  if (request.status === 'done' || request.status === 'failed') return true;
  return !!request.stopped && !!request.card;
}

const OPEN_STEP: ReadonlySet<StepState> = new Set(['planned', 'sent']);

export function isOpenStep(step: Step): boolean {
  return OPEN_STEP.has(step.state);
}

/**
 * Every step answered (or skipped): `done`, or `failed` when a mutation ended in a request-level
 * error. A failed read (verification) never fails the request: it only leaves it unverified.
 */
export function settledStatus(steps: readonly Step[]): 'done' | 'failed' | undefined {
  if (steps.some(isOpenStep)) return undefined;
  return steps.some((s) => s.state === 'failed' && MUTATING_ACTIONS.has(s.action))
    ? 'failed'
    : 'done';
}

/**
 * Finished with nothing left to do: rejected, expired, or done/failed with its results posted.
 * A closed request only changes again through retention; stores may keep it apart from live ones.
 */
export function isClosed(request: MutationRequest): boolean {
  return FINAL_STATUSES.has(request.status) && !hasWorkLeft(request);
}
