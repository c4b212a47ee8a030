// What the service needs from the outside world. Adapters implement one port each.

import type {
  AttachRequest,
  BatchError,
  InstanceOutcome,
  RequestStatus,
} from '../domain/request.js';

export interface Clock {
  now(): Date;
}

/** Result of an atomic change: the stored request after it, or the caller's refusal untouched. */
export type UpdateResult<R> =
  | { ok: true; request: AttachRequest }
  | { ok: false; refusal: R }
  | { ok: false; refusal: { reason: 'unknown_request' } };

/**
 * The live requests. `update` is an atomic check-and-set: `change` runs synchronously against the
 * current stored value and either returns the new value or a refusal; nothing else can interleave.
 * Every resolved write is on disk (atomically replaced) before the promise resolves.
 */
export interface RequestStore {
  get(id: string): AttachRequest | undefined;
  insert(request: AttachRequest): Promise<void>;
  update<R>(
    id: string,
    change: (
      current: AttachRequest,
    ) => { ok: true; request: AttachRequest } | { ok: false; refusal: R },
  ): Promise<UpdateResult<R>>;
  remove(id: string): Promise<void>;
  /** Requests in any of these statuses, oldest first. */
  listByStatus(statuses: readonly RequestStatus[]): AttachRequest[];
  /** The most recent requests, newest first. */
  recent(limit: number): AttachRequest[];
  /**
   * Retention: removes finished requests that ended before `before`, after `record` has kept
   * them elsewhere (if it throws, nothing is removed). Returns what was removed.
   */
  archiveFinished(
    before: Date,
    record: (requests: readonly AttachRequest[]) => Promise<void>,
  ): Promise<AttachRequest[]>;
  /** Reachable and writable (health checks). */
  ping(): Promise<boolean>;
  /** Waits for queued writes to reach the disk. */
  flush(): Promise<void>;
}

export interface AttachKeyPairCall {
  region: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  clientToken: string;
}

export interface AttachKeyPairAnswer {
  requestId: string;
  outcomes: InstanceOutcome[];
}

/**
 * Volcengine ECS. `attachKeyPair` retries transient failures itself with the same ClientToken and
 * throws an error carrying `code`, `httpStatus`, `requestId` and `retryable` when it gives up.
 */
export interface EcsApi {
  attachKeyPair(call: AttachKeyPairCall): Promise<AttachKeyPairAnswer>;
}

/** An error from EcsApi, as the service records it on a batch. */
export function toBatchError(error: unknown): BatchError {
  const e = error as {
    code?: unknown;
    message?: unknown;
    httpStatus?: unknown;
    requestId?: unknown;
  };
  const result: BatchError = {
    code: typeof e?.code === 'string' ? e.code : 'UnexpectedError',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
  if (typeof e?.httpStatus === 'number') result.httpStatus = e.httpStatus;
  if (typeof e?.requestId === 'string' && e.requestId) result.requestId = e.requestId;
  return result;
}

/** Where a Slack post failed in a way the requester must hear about. */
export type CardPostFailure = { reason: 'bot_not_in_channel' | 'post_failed'; detail: string };

/**
 * Everything the service says in Slack. Rendering is the adapter's job; the service only says
 * which request changed. Methods other than postCard never throw: failures are logged by the
 * adapter with the request id, after bounded retries.
 */
export interface Notifier {
  postCard(
    request: AttachRequest,
  ): Promise<
    { ok: true; card: { channel: string; ts: string } } | { ok: false; failure: CardPostFailure }
  >;
  updateCard(request: AttachRequest): Promise<void>;
  postResults(request: AttachRequest): Promise<boolean>;
  /** Tells the requester, privately, that their request expired unapproved. */
  tellExpired(request: AttachRequest): Promise<void>;
}

export type AuditEventType =
  | 'requested'
  | 'request_not_posted'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'execution_started'
  | 'batch_sent'
  | 'batch_done'
  | 'batch_failed'
  | 'results_posted'
  | 'finished'
  | 'archived';

export interface AuditEvent {
  type: AuditEventType;
  requestId: string;
  at: string;
  /** Slack user id of whoever caused it, when a person did. */
  actor?: string;
  [detail: string]: unknown;
}

/** Append-only JSON-lines trail; survives restarts, never rewritten. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Every event for one request, oldest first. */
  eventsFor(requestId: string): Promise<AuditEvent[]>;
  /** The request as it was when it left the live store (retention), if it did. */
  lastSnapshot(requestId: string): Promise<AttachRequest | undefined>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
