// A request for an approved cloud mutation and the rules for moving it through its lifecycle
// (design.md §3). An attach, a restart, an undo and an apply now are the same thing here: a frozen
// plan of journaled steps. Pure: the caller passes "now" and the policy.

import type { AppliedKey, ApplyNowSpec } from './apply-types.js';

export type { AppliedKey, ApplyNowSpec, KnownKeyRef } from './apply-types.js';

export type OperationKind = 'attach' | 'restart' | 'undo' | 'apply';

/** What may follow an attach under the same approval (`then=`): a phase of another kind. */
export type NextKind = 'restart' | 'apply';
/** The words `then=` takes, each with the phase it asks for. */
export const THEN_WORDS = { restart: 'restart', 'apply-now': 'apply' } as const satisfies Record<
  string,
  NextKind
>;
export type ThenWord = keyof typeof THEN_WORDS;
export const NEXT_KINDS: readonly ThenWord[] = ['restart', 'apply-now'];

/**
 * A fleet selector (selectors.ts reads and matches them): `tag:KEY=VALUE`, `tag:KEY` (no
 * `value`: any value), `holding:NAME`, `holding:kp-…`, or `holding:none` (neither field).
 */
export type Selector =
  | { kind: 'tag'; key: string; value?: string }
  | { kind: 'holding'; keyPairName?: string; keyPairId?: string };

export type RequestStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'executing'
  | 'done'
  | 'failed'
  /** Taken back by its requester while pending. */
  | 'cancelled'
  /** Made in the other mode (sandbox or live): closed at start, never run (see `stopped`). */
  | 'voided';

export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'rejected',
  'expired',
  'done',
  'failed',
  'cancelled',
  'voided',
]);

/** What a read showed of an instance (verification, restart polling). */
export interface ObservedInstance {
  status?: string;
  keyPairId?: string;
  keyPairName?: string;
}

/** One instance's result of a step: ok, or the API's (or our) per-instance error. */
export type InstanceOutcome =
  | { instanceId: string; ok: true; observed?: ObservedInstance; applied?: AppliedKey }
  | {
      instanceId: string;
      ok: false;
      code: string;
      message: string;
      observed?: ObservedInstance;
      /** A command that ran: its exit code and last output line. */
      exitCode?: number;
      output?: string;
    };

/** A request-level error a step ended with (the API's, or the transport's). */
export interface StepError {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  /** The call that failed, as its permission is named (`ecs:DescribeInstances`), when known. */
  call?: string;
}

/**
 * The cloud calls a plan is made of. WaitRunning, Verify, CheckAssistant (Cloud Assistant and
 * instance status) and InvocationResults (polling a command's results) are reads.
 */
export type StepAction =
  | 'AttachKeyPair'
  | 'DetachKeyPair'
  | 'RebootInstances'
  | 'WaitRunning'
  | 'Verify'
  | 'CheckAssistant'
  | 'RunCommand'
  | 'InvocationResults';

export const MUTATING_ACTIONS: ReadonlySet<StepAction> = new Set([
  'AttachKeyPair',
  'DetachKeyPair',
  'RebootInstances',
  'RunCommand',
]);

export type StepState = 'planned' | 'sent' | 'done' | 'failed' | 'skipped';

/**
 * One journaled call of a plan: marked `sent` before it goes out and `done`/`failed` with its
 * answer after. Steps of one phase may run at once; phases run in order. A mutation's ClientToken
 * is derived from the request id and the step index, so a resend is never applied twice.
 */
export interface Step {
  index: number;
  phase: number;
  /**
   * The operation the step belongs to when it is not the request's own: the steps of a phase that
   * follows under the same approval (`then=restart`). Absent: the request's kind.
   */
  kind?: OperationKind;
  /** Restart waves: a halted roll skips every step of a later wave. */
  wave?: number;
  action: StepAction;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  clientToken?: string;
  /**
   * WaitRunning: how long after `sentAt` the wave may take to come back. InvocationResults: how
   * long after `sentAt` results are polled for.
   */
  timeoutMs?: number;
  /** RunCommand: its name, derived from the request id and the step (no ClientToken exists). */
  invocationName?: string;
  /** RunCommand: the id the API answered, journaled once known. */
  invocationId?: string;
  /** RunCommand: the key pair (of `applyNow.replaces`) whose line the script removes. */
  replaces?: string;
  /** InvocationResults: the index of the RunCommand step whose results it reads. */
  invocationStep?: number;
  /**
   * Verify: the index of the key pair step (same phase) whose batch it reads back, as soon as that
   * step is answered. Absent: an older plan's one read-back of every instance after the last batch.
   */
  verifies?: number;
  state: StepState;
  /** How many times the step was marked sent (more than 1 means it was resumed). */
  sendCount: number;
  sentAt?: string;
  finishedAt?: string;
  /** Volcengine RequestId of the answer that settled the step. */
  apiRequestId?: string;
  outcomes?: InstanceOutcome[];
  error?: StepError;
}

export interface KeyPairInfo {
  keyPairId: string;
  keyPairName: string;
  fingerprint?: string;
}

export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  status: string;
  osType: string;
  keyPairId?: string;
  keyPairName?: string;
  tags: Array<{ key: string; value: string }>;
}

/** Why a read could not be done, in the API's terms. */
export interface ReadError {
  code: string;
  message: string;
  /** The read that failed (`ecs:DescribeKeyPairs`), when known. */
  call?: string;
}

/**
 * What the cloud showed at submit: the key pair and each instance as it was. Frozen with the
 * request: an undo restores the key pairs recorded here.
 */
export interface Preview {
  readAt: string;
  /** The key pair as the API knows it; absent when it could not be read (see keyPairError). */
  keyPair?: KeyPairInfo;
  keyPairError?: ReadError;
  /** An undo: the earlier key pairs it gives back, read by id (those that could be read). */
  restoredKeyPairs?: KeyPairInfo[];
  instances: InstanceSnapshot[];
  /** Ids that could not be read (their call failed); every other id absent from `instances` was not found. */
  unread: string[];
  /** Why `unread` is not empty. */
  error?: ReadError;
  /** What else the answers got wrong; rendered in words by the card. */
  problems: PreviewProblem[];
}

export type PreviewProblem =
  /** The API listed instances that were not asked for; they were ignored. */
  | { kind: 'unrequested'; count: number }
  /** Entries without a readable instance id were skipped. */
  | { kind: 'malformed'; count: number }
  /** The API kept paging; reading stopped after this many pages. */
  | { kind: 'paging_stopped'; pages: number };

/** A policy rule that applied when the request was made, frozen with it. */
export interface MatchedRule {
  name: string;
  approvals: number;
  /** User and user-group ids allowed to approve under this rule; absent = the default approvers. */
  approvers?: string[];
  /**
   * Why it matched; `tags_unknown`: a tag rule applied because the tags could not be read;
   * `restarts`: the request restarts instances.
   */
  reason: 'tag' | 'size' | 'tags_unknown' | 'restarts' | 'account';
  /** tags_unknown: how many instances could not be read, and how many the answer left out. */
  unknownTags?: { unread: number; missing: number };
}

export interface Approval {
  by: string;
  at: string;
}

export interface ApprovalState {
  /** Distinct approvals needed. */
  required: number;
  rules: MatchedRule[];
  approvals: Approval[];
}

export interface Decision {
  kind: 'approved' | 'rejected' | 'expired';
  /** Slack user id of whoever completed the decision; absent for expiry. */
  by?: string;
  at: string;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

export interface MutationRequest {
  id: string;
  kind: OperationKind;
  /** Restart and undo: the request they follow up. */
  parentId?: string;
  status: RequestStatus;
  /** Who asked (for a follow-up: who clicked Restart or Undo). */
  requesterId: string;
  channelId: string;
  /**
   * ACCOUNTS_FILE: the Volcengine account, frozen at submit; every call of the request (previews,
   * execution, follow-ups) uses its credentials. Absent: `default` (one account, or older rows).
   */
  account?: string;
  /** The account's id, when known at submit (from the role's TRN or STS GetCallerIdentity). */
  accountId?: string;
  region: string;
  instanceIds: string[];
  /** The key pair an attach binds (an undo: the one it takes back). */
  keyPairName?: string;
  keyPairId?: string;
  preview?: Preview;
  /** Selectors chose the instances (`instanceIds` is what they resolved to at submit). */
  selection?: Selection;
  /** `then=`: a phase of another kind approved with this request, run once its plan is verified. */
  next?: NextPhase;
  /** Short hash of what is approved: kind, region, key pair and sorted instance ids. */
  fingerprint: string;
  createdAt: string;
  expiresAt: string;
  /** Where the approval card lives. */
  card?: MessageRef;
  /** A follow-up's card is a reply in this thread (the parent card's ts). */
  threadTs?: string;
  approval: ApprovalState;
  decision?: Decision;
  /** Frozen at approval: derived from the request id, written before the first call. */
  steps: Step[];
  /** Set once the results are posted, so a resume never posts them twice. */
  resultsPostedAt?: string;
  /** The first results message (its buttons offer the follow-ups). */
  results?: MessageRef;
  finishedAt?: string;
  /** A follow-up: instances of the parent it leaves out, and why (shown on its card). */
  excluded?: ExcludedInstance[];
  /** Set when the half-TTL reminder went out, so it goes once. */
  remindedAt?: string;
  /**
   * True when the request was made against the built-in simulated ECS. Absent means live: the
   * field has been written since sandbox mode existed, and only ever as `true`.
   */
  sandbox?: boolean;
  /** Apply now: the user and keys the script is made of, frozen at submit (the card shows them). */
  applyNow?: ApplyNowSpec;
  /** Set when it ended without its calls being sent, and why. */
  stopped?: StopReason;
  /** Cancelled: by whom (always its requester) and when. */
  cancelled?: { by: string; at: string };
}

/**
 * Why a request ended without the bot sending its calls (expired, voided, or failed before any
 * call), shown on the card and in the thread. `at` is when it was stopped.
 */
export type StopReason =
  /** Made in sandbox mode and found by a live bot (or the other way round). */
  | { reason: 'other_mode'; mode: 'sandbox' | 'live'; at: string }
  /** Approved, but its first call was not sent within REQUEST_TTL_MINUTES of the last approval. */
  | { reason: 'approval_lapsed'; approvedAt: string; ttlMinutes: number; at: string }
  /** An undo approved after its UNDO_WINDOW_HOURS closed. */
  | { reason: 'undo_window_closed'; closedAt: string; at: string }
  /**
   * The key pair read again before the first call is gone, renamed or holds another key:
   * `approved` as the card showed it, `found` as it is now (absent: gone).
   */
  | {
      reason: 'key_pair_changed';
      approved: { keyPairId?: string; keyPairName?: string; fingerprint?: string };
      found?: KeyPairInfo;
      at: string;
    }
  /** The key pair could not be read before the first call (fail closed). */
  | { reason: 'key_pair_unreadable'; keyPair: string; error: ReadError; at: string };

export interface ExcludedInstance {
  instanceId: string;
  /**
   * Undo: its key pair before the attach is unknown; it no longer shows the attach's key pair
   * (changed since); or what it shows now could not be read. Restart and apply now: bound while
   * stopped, or status unknown. Apply now: not RUNNING now, or its Cloud Assistant agent is not
   * Running. A restart after an attach under the same approval: also not bound (it failed), or
   * not verified.
   */
  reason:
    | 'previous_key_unknown'
    | 'key_changed_since'
    | 'key_unknown_now'
    | 'stopped'
    | 'status_unknown'
    | 'not_running'
    | 'no_assistant'
    | 'not_bound'
    | 'not_verified';
  /** The instance's status, or its agent's (absent: no agent), when that is the reason. */
  status?: string;
}

/**
 * A phase approved together with the request (`then=restart`), after the request's own plan. Its
 * instances depend on how that plan went, so its steps are derived once that plan is answered and
 * verified, and journaled (with `planned`) in the same write, before its first call: a resume or
 * another replica finds them there and never derives them twice.
 */
export interface NextPhase {
  kind: NextKind;
  /** A restart's waves, fixed at submit: the card promises them. */
  restart?: { waveSize: number; waveTimeoutMs: number };
  planned?: {
    at: string;
    /** The instances the phase acts on, in order. */
    instanceIds: string[];
    /** The request's instances it leaves out, and why. */
    excluded: ExcludedInstance[];
  };
  /** When the earlier phase's results went to the thread, and the message (if one was posted). */
  earlierResults?: { at: string; message?: MessageRef };
}

/** What someone asked for, before it becomes a stored request. */
export interface RequestDraft {
  /** Empty when `selectors` name the instances: they are resolved at submit. */
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  region: string;
  /** ACCOUNTS_FILE: the account chosen (`account=`, the form, or the channel's mapping). */
  account?: string;
  /** `tag:` and `holding:` selectors, all of which must hold (never beside instance ids). */
  selectors?: Selector[];
  /** `then=`: a phase to run after the attach under the same approval. */
  next?: NextKind;
}

/** How a request's instances were chosen, when selectors chose them: frozen with it. */
export interface Selection {
  selectors: Selector[];
  /** When the cloud was read: instances that match only later are not part of the request. */
  readAt: string;
}

export type DecisionKind = 'approve' | 'reject';

/** Why a click changed nothing. Values, not exceptions: each gets its own ephemeral answer. */
export type DecisionRefusal =
  | { reason: 'not_approver'; detail?: string }
  | { reason: 'self_approval' }
  | { reason: 'already_approved_by_you'; approvals: number; required: number }
  | { reason: 'already_decided'; decision: Decision; status: RequestStatus }
  | { reason: 'expired'; expiresAt: string }
  /** Its requester took it back. */
  | { reason: 'cancelled'; by: string; at: string };

export type DecisionResult =
  | { ok: true; request: MutationRequest; completed: boolean }
  | { ok: false; refusal: DecisionRefusal };

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
