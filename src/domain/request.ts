// The attach request and the rules for moving it through its lifecycle (design.md §3).
// Pure: the caller passes "now" and the approval policy.

export type RequestStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'executing'
  | 'done'
  | 'failed';

export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'rejected',
  'expired',
  'done',
  'failed',
]);

/** One instance's result: ok, or the API's per-instance error. */
export type InstanceOutcome =
  | { instanceId: string; ok: true }
  | { instanceId: string; ok: false; code: string; message: string };

export type BatchState = 'planned' | 'sent' | 'done' | 'failed';

/** A request-level error the API (or the transport) ended a batch with. */
export interface BatchError {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
}

/** Up to 100 instances sent in one AttachKeyPair call, journaled around that call. */
export interface Batch {
  index: number;
  clientToken: string;
  instanceIds: string[];
  state: BatchState;
  /** How many times the batch was marked sent (more than 1 means it was resumed). */
  sendCount: number;
  sentAt?: string;
  finishedAt?: string;
  /** Volcengine RequestId of the answer that settled the batch. */
  apiRequestId?: string;
  outcomes?: InstanceOutcome[];
  error?: BatchError;
}

export interface Decision {
  kind: 'approved' | 'rejected' | 'expired';
  /** Slack user id of the approver; absent for expiry. */
  by?: string;
  at: string;
}

export interface AttachRequest {
  id: string;
  status: RequestStatus;
  requesterId: string;
  channelId: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  region: string;
  createdAt: string;
  expiresAt: string;
  /** Where the approval card lives; its ts anchors the results thread. */
  card?: { channel: string; ts: string };
  decision?: Decision;
  /** Frozen at approval: derived from the request id, written before the first call. */
  batches: Batch[];
  /** Set once the results thread is posted, so a resume never posts it twice. */
  resultsPostedAt?: string;
  finishedAt?: string;
  /** True when the request ran against the built-in simulated ECS. */
  sandbox?: boolean;
}

/** What someone asked for, before it becomes a stored request. */
export interface RequestDraft {
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  region: string;
}

export interface ApprovalPolicy {
  approverIds: ReadonlySet<string>;
  allowSelfApproval: boolean;
}

export type DecisionKind = 'approve' | 'reject';

/** Why a click changed nothing. Values, not exceptions: each gets its own ephemeral answer. */
export type DecisionRefusal =
  | { reason: 'not_approver' }
  | { reason: 'self_approval' }
  | { reason: 'already_decided'; decision: Decision; status: RequestStatus }
  | { reason: 'expired'; expiresAt: string };

export type DecisionResult =
  | { ok: true; request: AttachRequest }
  | { ok: false; refusal: DecisionRefusal };

export function isExpired(request: AttachRequest, now: Date): boolean {
  return now.getTime() >= Date.parse(request.expiresAt);
}

/**
 * Applies an approve/reject click to a request. Only a pending, unexpired request changes, and only
 * for an approver who is not the requester (unless self-approval is allowed).
 */
export function decide(
  request: AttachRequest,
  click: { kind: DecisionKind; userId: string; now: Date; policy: ApprovalPolicy },
): DecisionResult {
  const { kind, userId, now, policy } = click;
  if (request.status !== 'pending') {
    const decision = request.decision ?? { kind: 'expired', at: request.expiresAt };
    return { ok: false, refusal: { reason: 'already_decided', decision, status: request.status } };
  }
  if (!policy.approverIds.has(userId)) return { ok: false, refusal: { reason: 'not_approver' } };
  if (kind === 'approve' && userId === request.requesterId && !policy.allowSelfApproval) {
    return { ok: false, refusal: { reason: 'self_approval' } };
  }
  if (isExpired(request, now)) {
    return { ok: false, refusal: { reason: 'expired', expiresAt: request.expiresAt } };
  }
  const decision: Decision = {
    kind: kind === 'approve' ? 'approved' : 'rejected',
    by: userId,
    at: now.toISOString(),
  };
  return { ok: true, request: { ...request, status: decision.kind, decision } };
}

/** Pending and past its TTL: the sweeper turns it into `expired`. */
export function expire(request: AttachRequest, now: Date): AttachRequest | undefined {
  if (request.status !== 'pending' || !isExpired(request, now)) return undefined;
  return {
    ...request,
    status: 'expired',
    decision: { kind: 'expired', at: now.toISOString() },
  };
}

/** The request is approved or part-way through execution: a restart must finish it. */
export function needsExecution(request: AttachRequest): boolean {
  return request.status === 'approved' || request.status === 'executing';
}

/** Every batch answered: `done`, or `failed` when a batch ended in a request-level error. */
export function settledStatus(batches: readonly Batch[]): 'done' | 'failed' | undefined {
  if (batches.some((b) => b.state === 'planned' || b.state === 'sent')) return undefined;
  return batches.some((b) => b.state === 'failed') ? 'failed' : 'done';
}
