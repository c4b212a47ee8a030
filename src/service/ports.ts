// What the service needs from the outside world. Adapters implement one port each.

import type {
  InstanceOutcome,
  InstanceSnapshot,
  KeyPairInfo,
  MutationRequest,
  RequestStatus,
  StepError,
} from '../domain/request.js';
import type { CloudAssistantApi } from './cloud-assistant-port.js';

export interface Clock {
  now(): Date;
}

/** Result of an atomic change: the stored request after it, or the caller's refusal untouched. */
export type UpdateResult<R> =
  | { ok: true; request: MutationRequest }
  | { ok: false; refusal: R }
  | { ok: false; refusal: { reason: 'unknown_request' } };

export type ChangeResult<R> = { ok: true; request: MutationRequest } | { ok: false; refusal: R };

export type InsertResult =
  | { ok: true }
  | { ok: false; reason: 'duplicate_id' }
  /** A follow-up of the same kind for the same parent is pending, running or ran already. */
  | { ok: false; reason: 'child_exists'; existing: MutationRequest }
  /** `maxPendingOfRequester`: the requester has that many pending requests already. */
  | { ok: false; reason: 'too_many_open' };

export interface InsertOptions {
  /**
   * MAX_OPEN_REQUESTS_PER_USER: refused when the requester already has this many pending
   * requests, judged in the same atomic step as the insert (two submits at once cannot both pass).
   */
  maxPendingOfRequester?: number;
}

/** Statuses in which a follow-up blocks another of its kind: only a rejected or expired one doesn't. */
export const CHILD_BLOCKING_STATUSES: readonly RequestStatus[] = [
  'pending',
  'approved',
  'executing',
  'done',
  'failed',
];

/** The code a store's errors carry when it cannot be reached (the database is down). */
export const STORE_UNAVAILABLE = 'store_unavailable';

export function isStoreUnavailable(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === STORE_UNAVAILABLE;
}

/**
 * Every request, live and finished. Every read is I/O (PostgreSQL), so every method is async.
 * `update` is an atomic check-and-set: `change` runs against the current stored value (a row lock
 * or the single process's memory) and either returns the new value or a refusal; no other change
 * to that request can interleave. A resolved write is durable (committed, or on disk). When the
 * store cannot be reached, methods reject with an error whose `code` is STORE_UNAVAILABLE.
 */
export interface RequestStore {
  get(id: string): Promise<MutationRequest | undefined>;
  /**
   * Stores a new request. Refuses a duplicate id, and a follow-up (`parentId` set) when another
   * request with the same parent and kind is in one of CHILD_BLOCKING_STATUSES: one restart per
   * results message, however many clicks race. And (options) a requester's pending limit.
   */
  insert(request: MutationRequest, options?: InsertOptions): Promise<InsertResult>;
  update<R>(
    id: string,
    change: (current: MutationRequest) => ChangeResult<R>,
  ): Promise<UpdateResult<R>>;
  remove(id: string): Promise<void>;
  /**
   * Every request that is not closed (see `isClosed`): pending, approved, executing, or finished
   * with its results not posted yet. Oldest first. Small however long the history grows: the
   * sweeps and the executor's takeover scan read it often.
   */
  listOpen(): Promise<MutationRequest[]>;
  /** The most recent requests (optionally one requester's), newest first. */
  recent(query: { limit: number; requesterId?: string }): Promise<MutationRequest[]>;
  /**
   * The most recent requests whose audience (domain/audience.ts `audienceOf`) holds one of
   * `keys`, newest first: what `history` shows a reader. Its cost follows `limit` and the number
   * of keys, not the number of requests stored.
   */
  recentConcerning(query: { keys: readonly string[]; limit: number }): Promise<MutationRequest[]>;
  /** Follow-ups of a request, oldest first. */
  children(parentId: string): Promise<MutationRequest[]>;
  /**
   * Execution lease: true when `owner` now holds request `id` until `until` — it was free, had
   * lapsed (its holder's `until` passed `now`), or was already `owner`'s (a renewal). False when
   * someone else holds it.
   */
  acquireLease(id: string, owner: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(id: string, owner: string): Promise<void>;
  /**
   * Retention: removes finished requests that ended before `before`, after `record` has kept
   * them elsewhere (if it throws, nothing is removed). Returns what was removed. Safe to run on
   * several replicas at once: each request is archived once.
   */
  archiveFinished(
    before: Date,
    record: (requests: readonly MutationRequest[]) => Promise<void>,
  ): Promise<MutationRequest[]>;
  /** Reachable and writable (health checks). */
  ping(): Promise<boolean>;
  /** Waits for queued writes to be durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One mutation call of a plan: at most 100 instances, one ClientToken. */
export interface BatchCall {
  region: string;
  instanceIds: string[];
  clientToken: string;
}

export interface KeyPairCall extends BatchCall {
  keyPairName?: string;
  keyPairId?: string;
}

export interface BatchAnswer {
  requestId: string;
  outcomes: InstanceOutcome[];
}

export type ReadProblem =
  | { kind: 'unrequested'; instanceIds: string[] }
  | { kind: 'malformed'; count: number }
  | { kind: 'paging_stopped'; pages: number }
  | {
      kind: 'failed';
      instanceIds: string[];
      error: StepError;
    };

export interface InstanceReadout {
  instances: InstanceSnapshot[];
  requestIds: string[];
  problems: ReadProblem[];
}

export interface InstancePage {
  requestId: string;
  instances: InstanceSnapshot[];
  nextToken?: string;
  /** How many instances the API says match the filters (all pages). */
  totalCount?: number;
}

/** DescribeInstances' TagFilters.N: a key and its values (none: any value). */
export interface TagFilter {
  key: string;
  values: string[];
}

/**
 * Volcengine ECS. Mutations retry transient failures themselves with the same ClientToken; every
 * call throws an error carrying `code`, `httpStatus`, `requestId` and `retryable` when it gives up.
 * Cloud Assistant and ImportKeyPair are in cloud-assistant-port.ts.
 */
export interface EcsApi extends CloudAssistantApi {
  attachKeyPair(call: KeyPairCall): Promise<BatchAnswer>;
  detachKeyPair(call: KeyPairCall): Promise<BatchAnswer>;
  rebootInstances(call: BatchCall): Promise<BatchAnswer>;
  /** Every named instance that exists, read in chunks of 100 with bounded concurrency. */
  describeInstances(query: { region: string; instanceIds: string[] }): Promise<InstanceReadout>;
  /**
   * One page of instances whose name contains `instanceName` (or of all, without it), narrowed by
   * TagFilters and the KeyPairName filter when given (the API may match a name fuzzily).
   */
  describeInstancesPage(query: {
    region: string;
    instanceName?: string;
    instanceIds?: string[];
    tagFilters?: TagFilter[];
    keyPairName?: string;
    maxResults?: number;
    nextToken?: string;
  }): Promise<InstancePage>;
  /** The key pair with exactly this name or id, or undefined when the region has none. */
  findKeyPair(query: {
    region: string;
    keyPairName?: string;
    keyPairId?: string;
  }): Promise<KeyPairInfo | undefined>;
  /** Key pairs whose name contains `text` (fuzzy), at most `limit`. */
  suggestKeyPairs(query: { region: string; text: string; limit: number }): Promise<KeyPairInfo[]>;
}

/** An error from EcsApi, as the service records it on a step. */
export function toStepError(error: unknown): StepError {
  const e = error as {
    code?: unknown;
    message?: unknown;
    httpStatus?: unknown;
    requestId?: unknown;
    call?: unknown;
  };
  const result: StepError = {
    code: typeof e?.code === 'string' ? e.code : 'UnexpectedError',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
  if (typeof e?.httpStatus === 'number') result.httpStatus = e.httpStatus;
  if (typeof e?.requestId === 'string' && e.requestId) result.requestId = e.requestId;
  if (typeof e?.call === 'string' && e.call) result.call = e.call;
  return result;
}

/** Where a Slack post failed in a way the requester must hear about. */
export type CardPostFailure = { reason: 'bot_not_in_channel' | 'post_failed'; detail: string };

/** What the requester hears about privately. */
export type RequesterNews = 'approved' | 'rejected' | 'expired' | 'results';

/**
 * Everything the service says in Slack. Rendering is the adapter's job; the service only says
 * which request changed. Methods other than postCard never throw: failures are logged by the
 * adapter with the request id, after bounded retries.
 */
export interface Notifier {
  /** The approval card: in the channel, or as a reply in `request.threadTs` for a follow-up. */
  postCard(
    request: MutationRequest,
  ): Promise<
    { ok: true; card: { channel: string; ts: string } } | { ok: false; failure: CardPostFailure }
  >;
  updateCard(request: MutationRequest): Promise<void>;
  /** The results thread; resolves with its first message, or undefined when nothing went out. */
  /**
   * `earlier`: a request with a next phase (then=restart), its own plan's results, posted before
   * that phase starts; without it the (final) results.
   */
  postResults(
    request: MutationRequest,
    part?: 'earlier',
  ): Promise<{ channel: string; ts: string } | undefined>;
  /** A private note to the requester. */
  tellRequester(request: MutationRequest, news: RequesterNews): Promise<void>;
  /** The half-TTL nudge in the card's thread, mentioning who has yet to approve. */
  remind(request: MutationRequest): Promise<void>;
}

/** What happened; a follow-up's events carry its kind as a prefix (`restart_`, `undo_`, `apply_`). */
export type AuditEventBase =
  | 'requested'
  | 'request_not_posted'
  | 'approval_counted'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'reminded'
  | 'execution_started'
  | 'step_sent'
  | 'step_done'
  | 'step_failed'
  | 'steps_skipped'
  | 'results_posted'
  | 'finished'
  | 'archived'
  /** Ended before any call was sent: the key pair changed or could not be read. */
  | 'stopped'
  /** Made in the other mode (sandbox or live): closed, never run. */
  | 'voided'
  | 'cancelled'
  /** The import command: a key pair imported, or an existing one's public key recorded, or not. */
  | 'key_imported'
  | 'key_recorded'
  | 'key_import_refused'
  /** A phase approved after the request's own plan (then=restart) was planned from its journal. */
  | 'phase_planned'
  /** The first plan's results went to the thread before the next phase started. */
  | 'phase_results_posted';

/** `requested` for an attach, `restart_requested` and `undo_requested` for the follow-ups. */
export type AuditEventType =
  | AuditEventBase
  | `restart_${AuditEventBase}`
  | `undo_${AuditEventBase}`
  | `apply_${AuditEventBase}`;

export interface AuditEvent {
  type: AuditEventType;
  requestId: string;
  at: string;
  /** The operation: attach, restart, undo or apply (an import: `import`). */
  kind?: string;
  /** Slack user id of whoever caused it, when a person did. */
  actor?: string;
  [detail: string]: unknown;
}

/** Append-only trail; survives restarts, never rewritten. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Every event for one request, oldest first. */
  eventsFor(requestId: string): Promise<AuditEvent[]>;
  /** The request as it was when it left the store (retention), if it did. */
  lastSnapshot(requestId: string): Promise<MutationRequest | undefined>;
  close(): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
