import {
  type CredentialsProvider,
  createStaticCredentials,
  type SigningCredentials,
} from './credentials.js';
import { backoffDelayMs, isRecord, VolcApiError } from './errors.js';
import { type CallPolicyOptions, createOpenApiCaller, safely } from './openapi-caller.js';
import { createUndiciTransport, type Transport } from './transport.js';

// Temporary credentials from STS AssumeRole, signed with the base access key through the same
// caller as ECS. Refreshed ahead of expiry, lazily by calls and optionally by a timer; one refresh
// at a time, shared by every caller. Old credentials serve until they expire; after that, calls
// fail at once with CredentialsUnavailable until a refresh succeeds. Keys never leave get().

const STS_SERVICE = 'sts';
const STS_VERSION = '2018-01-01';
// STS is global; the scope names its home region.
const STS_REGION = 'cn-beijing';
const MAX_REFRESH_WINDOW_MS = 5 * 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RefreshInfo {
  ok: boolean;
  /** Present when ok is false: the STS error, already free of secrets. */
  error?: VolcApiError;
  /** When ok: the ISO time the new credentials expire. */
  expiresAt?: string;
  /** When ok is false: the earliest next attempt, from now. */
  retryInMs?: number;
}

export type RefreshResult = { ok: true; expiresAt: Date } | { ok: false; error: VolcApiError };

export interface AssumeRoleOptions extends CallPolicyOptions {
  /** The long-lived key allowed to call sts:AssumeRole. */
  baseCredentials: { accessKeyId: string; secretAccessKey: string };
  roleTrn: string;
  sessionName: string;
  durationSeconds: number;
  stsEndpoint: string;
  /** Default: an own undici transport, closed by close(). */
  transport?: Transport;
  /** Backoff between failed refreshes: base (default 1 s) and cap (default 60 s). */
  refreshBaseDelayMs?: number;
  refreshMaxDelayMs?: number;
  /**
   * Credentials this close to expiry count as expired, since a call signed now must still be valid
   * when it arrives. Default 30 s, at most half the refresh window.
   */
  expiryMarginMs?: number;
  onRefresh?: (info: RefreshInfo) => void;
  /** For the background refresh; default setTimeout (unref'd). Returns a cancel function. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface AssumeRoleProvider extends CredentialsProvider {
  /** Refresh now, or join the refresh in flight. Never rejects. */
  refresh(): Promise<RefreshResult>;
  /** Keep the credentials fresh without waiting for calls (a timer, stopped by close()). */
  start(): void;
  state(): { expiresAt?: Date; lastError?: VolcApiError; refreshing: boolean };
  close(): Promise<void>;
}

/** Refresh once less than min(5 minutes, 20 % of the lifetime) remains. */
export function refreshWindowMs(lifetimeMs: number): number {
  return Math.min(MAX_REFRESH_WINDOW_MS, lifetimeMs * 0.2);
}

interface Held {
  credentials: SigningCredentials;
  expiresAt: number;
  refreshAt: number;
  usableUntil: number;
}

export function createAssumeRoleProvider(options: AssumeRoleOptions): AssumeRoleProvider {
  const now = options.now ?? (() => new Date());
  const ownTransport = options.transport ? undefined : createUndiciTransport({ connections: 2 });
  const sts = createOpenApiCaller({
    ...options,
    endpoint: options.stsEndpoint,
    service: STS_SERVICE,
    version: STS_VERSION,
    credentials: createStaticCredentials(options.baseCredentials),
    transport: options.transport ?? (ownTransport as Transport),
  });
  const setTimer = options.setTimer ?? defaultTimer;
  const backoff = {
    baseDelayMs: options.refreshBaseDelayMs ?? 1_000,
    maxDelayMs: options.refreshMaxDelayMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  const marginMs = options.expiryMarginMs ?? 30_000;

  let current: Held | undefined;
  let inflight: Promise<RefreshResult> | undefined;
  let failures = 0;
  let nextAttemptAt = 0;
  let lastError: VolcApiError | undefined;
  let started = false;
  let closed = false;
  let cancelTimer: (() => void) | undefined;

  async function assumeRole(): Promise<Held> {
    const sentAt = now().getTime();
    const answer = await sts('AssumeRole', STS_REGION, [
      ['RoleTrn', options.roleTrn],
      ['RoleSessionName', options.sessionName],
      ['DurationSeconds', String(options.durationSeconds)],
    ]);
    const issued = readCredentials(answer.result, answer.requestId);
    // Lifetime by the server's own two clocks, counted from when we asked: immune to our skew.
    const lifetimeMs = Number.isNaN(issued.currentTime)
      ? issued.expiredTime - sentAt
      : issued.expiredTime - issued.currentTime;
    if (!(lifetimeMs > 0)) {
      throw invalid('AssumeRole answered credentials that are already expired', answer.requestId);
    }
    const expiresAt = sentAt + lifetimeMs;
    const window = refreshWindowMs(lifetimeMs);
    return {
      credentials: issued.credentials,
      expiresAt,
      refreshAt: expiresAt - window,
      usableUntil: expiresAt - Math.min(marginMs, window / 2),
    };
  }

  function refresh(): Promise<RefreshResult> {
    if (closed) return Promise.resolve({ ok: false, error: unavailable() });
    if (inflight) return inflight;
    inflight = (async (): Promise<RefreshResult> => {
      try {
        const held = await assumeRole();
        current = held;
        failures = 0;
        nextAttemptAt = 0;
        lastError = undefined;
        const expiresAt = new Date(held.expiresAt);
        safely(() => options.onRefresh?.({ ok: true, expiresAt: expiresAt.toISOString() }));
        return { ok: true, expiresAt };
      } catch (caught) {
        const error = asVolcError(caught);
        failures += 1;
        lastError = error;
        const retryInMs = backoffDelayMs(failures, backoff);
        nextAttemptAt = now().getTime() + retryInMs;
        safely(() => options.onRefresh?.({ ok: false, error, retryInMs }));
        return { ok: false, error };
      } finally {
        inflight = undefined;
        schedule();
      }
    })();
    return inflight;
  }

  function schedule(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    if (!started || closed) return;
    const t = now().getTime();
    const at = failures > 0 ? nextAttemptAt : (current?.refreshAt ?? t);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - t));
    cancelTimer = setTimer(() => {
      cancelTimer = undefined;
      void refresh();
    }, delay);
  }

  function unavailable(): VolcApiError {
    const role = `role ${options.roleTrn}`;
    // lastError's message names AssumeRole and is already free of secrets.
    const why = closed
      ? 'the credentials provider is closed'
      : (lastError?.message ?? 'AssumeRole has not answered yet');
    const t = now().getTime();
    const at = current ? new Date(current.expiresAt).toISOString() : '';
    const had = !current
      ? `No temporary credentials for ${role}`
      : t >= current.expiresAt
        ? `The temporary credentials of ${role} expired at ${at}`
        : `The temporary credentials of ${role} expire at ${at}, too soon to sign with`;
    const next =
      !closed && nextAttemptAt > t
        ? `; AssumeRole is tried again in ${Math.ceil((nextAttemptAt - t) / 1000)} s`
        : '';
    return new VolcApiError({
      code: 'CredentialsUnavailable',
      message: `${had}: ${why}${next}`,
      retryable: false,
    });
  }

  const usable = (t: number) => current !== undefined && t < current.usableUntil;

  return {
    async get() {
      if (closed) throw unavailable();
      const t = now().getTime();
      if (current && usable(t)) {
        // Renew in the background; this call goes on with keys that are still good.
        if (t >= current.refreshAt && !inflight && t >= nextAttemptAt) void refresh();
        return current.credentials;
      }
      // Nothing usable: wait for a refresh, unless the last one just failed (backoff).
      if (!inflight && t < nextAttemptAt) throw unavailable();
      await refresh();
      const after = now().getTime();
      if (current && usable(after)) return current.credentials;
      throw unavailable();
    },
    refresh,
    start() {
      if (closed || started) return;
      started = true;
      schedule();
    },
    state: () => ({
      ...(current ? { expiresAt: new Date(current.expiresAt) } : {}),
      ...(lastError ? { lastError } : {}),
      refreshing: inflight !== undefined,
    }),
    async close() {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
      await ownTransport?.close();
    },
  };
}

function readCredentials(
  result: unknown,
  requestId: string,
): { credentials: SigningCredentials; expiredTime: number; currentTime: number } {
  const c = isRecord(result) && isRecord(result.Credentials) ? result.Credentials : {};
  const fields = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'ExpiredTime'] as const;
  // Names only: the values are the secrets.
  const missing = fields.filter((f) => typeof c[f] !== 'string' || c[f] === '');
  const expiredTime = typeof c.ExpiredTime === 'string' ? Date.parse(c.ExpiredTime) : Number.NaN;
  if (missing.length > 0 || Number.isNaN(expiredTime)) {
    const what =
      missing.length > 0 ? `without ${missing.join(', ')}` : 'with an unreadable ExpiredTime';
    throw invalid(`AssumeRole answered ${what} in Result.Credentials`, requestId);
  }
  return {
    credentials: {
      accessKeyId: c.AccessKeyId as string,
      secretAccessKey: c.SecretAccessKey as string,
      sessionToken: c.SessionToken as string,
    },
    expiredTime,
    currentTime: typeof c.CurrentTime === 'string' ? Date.parse(c.CurrentTime) : Number.NaN,
  };
}

function invalid(message: string, requestId: string): VolcApiError {
  return new VolcApiError({ code: 'InvalidResponse', message, requestId, retryable: false });
}

function asVolcError(caught: unknown): VolcApiError {
  if (caught instanceof VolcApiError) return caught;
  // Not an API error, so a bug below us: its name only, never a message that may hold values.
  const message = `AssumeRole failed unexpectedly (${(caught as Error)?.name ?? 'error'})`;
  return new VolcApiError({ code: 'RequestError', message, retryable: false });
}

function defaultTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}
