import type { CredentialsProvider, SigningCredentials } from './credentials.js';
import {
  backoffDelayMs,
  errorFromAnswer,
  errorFromTransport,
  isRecord,
  VolcApiError,
} from './errors.js';
import { canonicalQuery, hashPayload, signRequest } from './signer.js';
import type { Transport, TransportResponse } from './transport.js';

// The one piece of code that signs and retries Volcengine OpenAPI calls, ECS and STS alike: GET
// with the canonical query as the wire query, credentials asked for and signed afresh on every
// attempt, retried with backoff inside a deadline. It never logs; hooks report retries and calls.

const EMPTY_BODY_SHA256 = hashPayload('');

export interface RetryInfo {
  service: string;
  action: string;
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  delayMs: number;
  error: VolcApiError;
}

/** One logical call, after its retries: what a metrics adapter counts. */
export interface CallInfo {
  service: string;
  action: string;
  outcome: 'ok' | 'error';
  /** The error's code when outcome is 'error'. */
  code?: string;
  durationMs: number;
  /** Requests actually sent (0 when refused before sending, e.g. no credentials). */
  attempts: number;
}

/** How long and how often one call may try; shared by every caller the bot builds. */
export interface CallPolicyOptions {
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  maxAttempts: number;
  /**
   * No retry starts (nor a wait before one) that would end after this long from the first attempt,
   * so one call takes at most about deadlineMs + timeoutMs. Measured with `now`.
   */
  deadlineMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (info: RetryInfo) => void;
  onCall?: (info: CallInfo) => void;
}

export interface OpenApiCallerOptions extends CallPolicyOptions {
  /** A bare http(s) origin. */
  endpoint: string;
  service: string;
  version: string;
  credentials: CredentialsProvider;
  transport: Transport;
}

export type QueryParams = Array<[string, string]>;

export interface ApiAnswer {
  requestId: string;
  result: unknown;
  /** The answer's Date header (the doctor's clock check). */
  serverDate?: string;
}

export type OpenApiCaller = (
  action: string,
  region: string,
  params: QueryParams,
) => Promise<ApiAnswer>;

export function createOpenApiCaller(options: OpenApiCallerOptions): OpenApiCaller {
  const endpoint = parseEndpoint(options.endpoint);
  const { service, version, transport, credentials } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const policy = {
    baseDelayMs: options.baseDelayMs ?? 300,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    random: options.random ?? Math.random,
  };
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));

  async function retried(
    action: string,
    region: string,
    query: QueryParams,
    sent: { attempts: number },
  ): Promise<ApiAnswer> {
    const deadline = now().getTime() + options.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      let error: VolcApiError;
      try {
        return await attemptOnce(action, region, query, sent);
      } catch (caught) {
        if (!(caught instanceof VolcApiError)) throw caught;
        error = caught;
      }
      if (!error.retryable || attempt >= maxAttempts) throw error;
      const delayMs = Math.max(error.retryAfterMs ?? 0, backoffDelayMs(attempt, policy));
      // Waiting past the deadline only to be cut off: surface the last error now instead.
      if (now().getTime() + delayMs >= deadline) throw error;
      safely(() => options.onRetry?.({ service, action, attempt, delayMs, error }));
      await sleep(delayMs);
    }
  }

  async function attemptOnce(
    action: string,
    region: string,
    query: QueryParams,
    sent: { attempts: number },
  ): Promise<ApiAnswer> {
    const keys = await credentialsFor(action);
    const headers: Record<string, string> = {
      Host: endpoint.host,
      'X-Content-Sha256': EMPTY_BODY_SHA256,
    };
    const signed = signRequest({
      method: 'GET',
      path: '/',
      query,
      headers,
      body: '',
      region,
      service,
      credentials: keys,
      date: now(),
    });
    Object.assign(headers, signed.headers);
    const authorization = signed.headers.Authorization ?? '';
    const clean = redactor([
      keys.secretAccessKey,
      keys.sessionToken ?? undefined,
      authorization,
      authorization.split('Signature=')[1],
    ]);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    let response: TransportResponse;
    try {
      const url = `${endpoint.origin}/?${canonicalQuery(query)}`;
      sent.attempts += 1;
      response = await transport({ method: 'GET', url, headers, signal: controller.signal });
    } catch (caught) {
      throw errorFromTransport(action, caught, timedOut ? options.timeoutMs : undefined, clean);
    } finally {
      clearTimeout(timer);
    }
    return readAnswer(action, response, clean, now());
  }

  async function credentialsFor(action: string): Promise<SigningCredentials> {
    try {
      return await credentials.get();
    } catch (caught) {
      if (caught instanceof VolcApiError) throw caught;
      // A provider's own bug: say so without its message, which may hold what it was handling.
      throw new VolcApiError({
        code: 'CredentialsUnavailable',
        message: `No credentials to sign Volcengine ${action} with (the credentials provider failed: ${(caught as Error)?.name ?? 'error'})`,
        retryable: false,
      });
    }
  }

  return async (action, region, params) => {
    const started = now().getTime();
    const sent = { attempts: 0 };
    const report = (outcome: 'ok' | 'error', code?: string) =>
      safely(() =>
        options.onCall?.({
          service,
          action,
          outcome,
          ...(code !== undefined ? { code } : {}),
          durationMs: Math.max(0, now().getTime() - started),
          attempts: sent.attempts,
        }),
      );
    try {
      if (!/^[a-z0-9-]+$/.test(region)) {
        throw refusal('InvalidParameter.Region', `Region "${region}" is not a region id`);
      }
      const query: QueryParams = [['Action', action], ['Version', version], ...params];
      const answer = await retried(action, region, query, sent);
      report('ok');
      return answer;
    } catch (error) {
      report('error', error instanceof VolcApiError ? error.code : 'UnexpectedError');
      // The first caller names the call: an STS error met while signing an ECS call keeps its own.
      if (error instanceof VolcApiError) error.call ??= `${service}:${action}`;
      throw error;
    }
  };
}

/** Refused before sending: never retryable. */
export function refusal(code: string, message: string): VolcApiError {
  return new VolcApiError({ code, message, retryable: false });
}

function readAnswer(
  action: string,
  res: TransportResponse,
  clean: (text: string) => string,
  now: Date,
): ApiAnswer {
  const parsed = parseJson(res.body);
  const error = errorFromAnswer(action, res, parsed, clean, now);
  if (error) throw error;
  const meta = isRecord(parsed) ? parsed.ResponseMetadata : undefined;
  return {
    requestId: isRecord(meta) && typeof meta.RequestId === 'string' ? meta.RequestId : '',
    result: isRecord(parsed) ? parsed.Result : undefined,
    ...(res.headers.date ? { serverDate: res.headers.date } : {}),
  };
}

export function parseEndpoint(endpoint: string): { origin: string; host: string } {
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The Volcengine endpoint must be an http(s) URL, got ${url.protocol}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(
      `The Volcengine endpoint must be a bare origin such as https://open.volcengineapi.com, got ${url.origin}${url.pathname}`,
    );
  }
  // URL drops a default port, so `host` carries the port only when it is a non-default one.
  return { origin: url.origin, host: url.host };
}

function redactor(values: ReadonlyArray<string | undefined>): (text: string) => string {
  const secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** A hook that throws must not turn a good call into a failed one. */
export function safely(hook: () => void): void {
  try {
    hook();
  } catch {
    // Hooks are observers; their failures are theirs.
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
