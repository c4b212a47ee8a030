// Errors from the Volcengine OpenAPI (or from reaching it), and which of them are worth retrying.

/** HTTP statuses every official SDK retries. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Codes that mean "try again later", whatever HTTP status carried them. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'InternalError',
  'FlowLimitExceeded',
  'IdempotentProcessing',
  'InternalServiceTimeout',
  'ServiceUnavailableTemp',
  // Ours, for failures to get any answer at all.
  'NetworkError',
  'Timeout',
]);

/**
 * Codes no retry can fix, even if a gateway sends them with a 5xx: bad credentials, bad input, a
 * ClientToken reused with other parameters.
 */
const NEVER_RETRY_CODES: ReadonlySet<string> = new Set([
  'IdempotentParameterMismatch',
  'SignatureDoesNotMatch',
  'InvalidAccessKey',
  'MissingAuthenticationToken',
  'MissingSignature',
  'AccessDenied',
  'LackPolicy',
  'InvalidTimestamp',
  'InvalidClientToken.Malformed',
]);

export function isRetryable(httpStatus: number | undefined, code: string): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (NEVER_RETRY_CODES.has(code)) return false;
  return httpStatus !== undefined && RETRYABLE_HTTP_STATUSES.has(httpStatus);
}

export interface VolcApiErrorInit {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  /** Defaults to isRetryable(httpStatus, code). */
  retryable?: boolean;
  /** The server's Retry-After, when it sent one on a 429/503. */
  retryAfterMs?: number;
  /** The call that failed, as an IAM permission names it: `ecs:DescribeInstances`. */
  call?: string;
}

/**
 * A request-level failure: the API's error, an unreadable answer, or no answer at all. The message
 * is plain words for people; it never carries credentials, signatures or the Authorization header.
 */
export class VolcApiError extends Error {
  readonly code: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /**
   * The call that failed, `service:Action` (the IAM permission it needs): an AccessDenied is
   * explained with the action that was refused, not a guess. Set by the caller that made it.
   */
  call?: string;

  constructor(init: VolcApiErrorInit) {
    super(init.message);
    this.name = 'VolcApiError';
    this.code = init.code;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.requestId) this.requestId = init.requestId;
    this.retryable = init.retryable ?? isRetryable(init.httpStatus, init.code);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.call) this.call = init.call;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      retryable: this.retryable,
      ...(this.call ? { call: this.call } : {}),
    };
  }
}

export function isVolcApiError(error: unknown): error is VolcApiError {
  return error instanceof VolcApiError;
}

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** In [0, 1). */
  random: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the capped exponential step is fixed, half random,
 * so waits spread out across clients yet (below the cap) never shrink from one attempt to the next.
 * `attempt` is the number of the attempt that just failed (1 for the first).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  const jitter = Math.min(1, Math.max(0, policy.random()));
  return Math.round(step / 2 + (step / 2) * jitter);
}

/** Retry-After as delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export interface HttpAnswer {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * The error an HTTP answer carries, or undefined when it is a readable success. An API error
 * (`ResponseMetadata.Error`) counts even on HTTP 200; any other non-2xx is an error too, and a
 * body that is not JSON (an HTML page from a proxy) is described, never parsed into a crash.
 * `clean` removes secrets from text the server sent back.
 */
export function errorFromAnswer(
  action: string,
  res: HttpAnswer,
  parsed: unknown,
  clean: (text: string) => string,
  now: Date,
): VolcApiError | undefined {
  const meta =
    isRecord(parsed) && isRecord(parsed.ResponseMetadata) ? parsed.ResponseMetadata : undefined;
  const requestId = typeof meta?.RequestId === 'string' ? meta.RequestId : undefined;
  const apiError = isRecord(meta?.Error) ? meta.Error : undefined;
  const retryAfterMs =
    res.status === 429 || res.status === 503
      ? parseRetryAfterMs(res.headers['retry-after'], now)
      : undefined;
  const base = { httpStatus: res.status, requestId, retryAfterMs };

  if (apiError && typeof apiError.Code === 'string' && apiError.Code !== '') {
    const said = typeof apiError.Message === 'string' ? shorten(apiError.Message) : '';
    const message = `Volcengine ${action} failed with ${apiError.Code} (HTTP ${res.status})${said ? `: ${said}` : ''}`;
    return new VolcApiError({ ...base, code: apiError.Code, message: clean(message) });
  }
  if (res.status < 200 || res.status >= 300) {
    const what =
      parsed === undefined
        ? `a body that is not JSON (${contentType(res)}), probably from a proxy or gateway`
        : 'no error code';
    const message = `Volcengine ${action} answered HTTP ${res.status} with ${what}`;
    return new VolcApiError({ ...base, code: 'HttpError', message });
  }
  if (!meta) {
    const message = `Volcengine ${action} answered HTTP ${res.status} with a body that is not an API response (${contentType(res)})`;
    return new VolcApiError({ ...base, code: 'InvalidResponse', message, retryable: false });
  }
  return undefined;
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const CALLER_BUG_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
]);

/** No answer at all: our own per-attempt timeout, a network failure, or (rarely) a bad request. */
export function errorFromTransport(
  action: string,
  caught: unknown,
  timedOutAfterMs: number | undefined,
  clean: (text: string) => string,
): VolcApiError {
  if (timedOutAfterMs !== undefined) {
    const message = `Volcengine ${action} did not answer within ${timedOutAfterMs} ms`;
    return new VolcApiError({ code: 'Timeout', message });
  }
  const e = caught as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const errno = [e?.code, e?.cause?.code].find((c): c is string => typeof c === 'string');
  const said = typeof e?.message === 'string' ? e.message : '';
  const detail = clean(shorten([errno, said].filter(Boolean).join(' '))) || 'unknown error';
  if (errno && CALLER_BUG_CODES.has(errno)) {
    const message = `Could not send Volcengine ${action}: ${detail}`;
    return new VolcApiError({ code: 'RequestError', message, retryable: false });
  }
  const code = errno && TIMEOUT_CODES.has(errno) ? 'Timeout' : 'NetworkError';
  return new VolcApiError({ code, message: `Could not reach Volcengine for ${action}: ${detail}` });
}

function contentType(res: HttpAnswer): string {
  return res.headers['content-type']?.split(';')[0]?.trim() || 'no content type';
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
