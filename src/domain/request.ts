// A request for an approved cloud mutation (design.md §3): what it is made of and how it records
// approvals and decisions. An attach, a restart, an undo and an apply now are the same thing here:
// a frozen plan of journaled steps (step-types.ts). The rules that move it are in lifecycle.ts.

import type { ApplyNowSpec } from './apply-types.js';
import type { KeyPairInfo, Preview, ReadError } from './preview-types.js';
import type { OperationKind, Step } from './step-types.js';

export type { AppliedKey, ApplyNowSpec, KnownKeyRef } from './apply-types.js';
export type {
  InstanceSnapshot,
  KeyPairInfo,
  Preview,
  PreviewProblem,
  ReadError,
} from './preview-types.js';
export type {
  InstanceOutcome,
  ObservedInstance,
  OperationKind,
  Step,
  StepAction,
  StepError,
  StepState,
} from './step-types.js';
export { MUTATING_ACTIONS } from './step-types.js';

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
