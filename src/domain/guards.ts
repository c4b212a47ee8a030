import { isOpenStep } from './lifecycle.js';
import {
  MUTATING_ACTIONS,
  type MutationRequest,
  type RequestStatus,
  type StopReason,
} from './request.js';

// What keeps an approval to what the card showed (issue 19): the mode a request was made in, its
// first call and last approval, how a request ends without running, and the requester's cancel.
// Pure: the caller passes "now".

/** The mode a request was made in; a request without the field was made live. */
export function modeOf(request: Pick<MutationRequest, 'sandbox'>): 'sandbox' | 'live' {
  return request.sandbox === true ? 'sandbox' : 'live';
}

/** The request's mode when it is not the bot's (`sandbox`: the bot runs in sandbox mode). */
export function otherMode(
  request: Pick<MutationRequest, 'sandbox'>,
  sandbox: boolean,
): 'sandbox' | 'live' | undefined {
  const mode = modeOf(request);
  return mode === (sandbox ? 'sandbox' : 'live') ? undefined : mode;
}

/** A mutation of its plan was sent (maybe resent): the request has started for real. */
export function mutationSent(request: Pick<MutationRequest, 'steps'>): boolean {
  return request.steps.some((s) => MUTATING_ACTIONS.has(s.action) && s.sendCount > 0);
}

/** When the approval that completed the quorum (the last one) was given. */
export function lastApprovalAt(request: MutationRequest): string | undefined {
  const times = request.approval.approvals.map((a) => a.at);
  if (request.decision?.kind === 'approved') times.push(request.decision.at);
  return times.sort().at(-1);
}

/**
 * Ends a request that never sent a call: `status` with the reason, every open step skipped (so
 * nothing is ever resumed). Pure; the caller writes it atomically.
 */
export function stopUnsent(
  request: MutationRequest,
  status: 'expired' | 'voided' | 'failed',
  stopped: StopReason,
): MutationRequest {
  return {
    ...request,
    status,
    stopped,
    finishedAt: stopped.at,
    // A request that expires pending was decided by time, as the TTL sweep's are.
    ...(!request.decision && status === 'expired'
      ? { decision: { kind: 'expired' as const, at: stopped.at } }
      : {}),
    steps: request.steps.map((s) => (isOpenStep(s) ? { ...s, state: 'skipped' as const } : s)),
  };
}

/** Why a cancel click changes nothing; the clicker hears it privately. */
export type CancelRefusal =
  | { reason: 'not_requester'; requesterId: string }
  | { reason: 'not_cancellable'; status: RequestStatus };

/**
 * The requester takes a pending request back: `cancelled`, and nobody can approve it any more.
 * Anyone else, and any request past pending (approved, running, decided), is refused.
 */
export function cancel(
  request: MutationRequest,
  click: { userId: string; now: Date },
): { ok: true; request: MutationRequest } | { ok: false; refusal: CancelRefusal } {
  if (click.userId !== request.requesterId) {
    return { ok: false, refusal: { reason: 'not_requester', requesterId: request.requesterId } };
  }
  if (request.status !== 'pending') {
    return { ok: false, refusal: { reason: 'not_cancellable', status: request.status } };
  }
  const at = click.now.toISOString();
  return {
    ok: true,
    request: {
      ...request,
      status: 'cancelled',
      cancelled: { by: click.userId, at },
      finishedAt: at,
    },
  };
}
