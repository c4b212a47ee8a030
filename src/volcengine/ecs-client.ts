import { Agent, request } from 'undici';
import type { InstanceOutcome } from '../domain/request.js';
import type { AttachKeyPairAnswer, AttachKeyPairCall, EcsApi } from '../service/ports.js';
import { backoffDelayMs, errorFromAnswer, errorFromTransport, VolcApiError } from './errors.js';
import { canonicalQuery, hashPayload, signRequest } from './signer.js';

// EcsApi over HTTPS: GET with the canonical query as the wire query, freshly signed per attempt,
// retried with backoff and the same ClientToken. It never logs; retries are reported via onRetry.

const VERSION = '2020-04-01';
const SERVICE = 'ecs';
const EMPTY_BODY_SHA256 = hashPayload('');
export const MAX_INSTANCE_IDS = 100;

export interface TransportRequest {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** A keep-alive undici Agent; `connections` caps sockets per origin. */
export function createUndiciTransport(
  options: { connections?: number } = {},
): Transport & { close(): Promise<void> } {
  const agent = new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });
  const transport: Transport = async (req) => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      signal: req.signal,
      dispatcher: agent,
    });
    const body = await res.body.text();
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers, body };
  };
  return Object.assign(transport, { close: () => agent.close() });
}

export interface EcsClientOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  maxAttempts: number;
  /**
   * No retry starts (nor a wait before one) that would end after this long from the first attempt,
   * so one call takes at most about deadlineMs + timeoutMs. Measured with `now`.
   */
  deadlineMs: number;
  transport?: Transport;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (info: {
    action: string;
    attempt: number;
    delayMs: number;
    error: VolcApiError;
  }) => void;
}

export interface KeyPairSummary {
  keyPairId: string;
  keyPairName: string;
}

export interface EcsClient extends EcsApi {
  /** A harmless read for health checks; `serverDate` is the API's Date header (clock check). */
  describeKeyPairs(input: { region: string; maxResults?: number }): Promise<{
    requestId: string;
    serverDate?: string;
    keyPairs: KeyPairSummary[];
  }>;
  /** Closes the transport when the client created it; a no-op for an injected one. */
  close(): Promise<void>;
}

interface ApiAnswer {
  requestId: string;
  result: unknown;
  serverDate?: string;
}

export function createEcsClient(options: EcsClientOptions): EcsClient {
  const endpoint = parseEndpoint(options.endpoint);
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const policy = {
    baseDelayMs: options.baseDelayMs ?? 300,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    random: options.random ?? Math.random,
  };
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const ownTransport = options.transport ? undefined : createUndiciTransport();
  const transport: Transport = options.transport ?? (ownTransport as Transport);
  const secrets = [options.credentials.secretAccessKey, options.credentials.sessionToken];

  async function call(
    action: string,
    region: string,
    params: Array<[string, string]>,
  ): Promise<ApiAnswer> {
    if (!/^[a-z0-9-]+$/.test(region)) {
      throw refusal('InvalidParameter.Region', `Region "${region}" is not a region id`);
    }
    const query: Array<[string, string]> = [['Action', action], ['Version', VERSION], ...params];
    const deadline = now().getTime() + options.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      let error: VolcApiError;
      try {
        return await attemptOnce(action, region, query, options.timeoutMs);
      } catch (caught) {
        if (!(caught instanceof VolcApiError)) throw caught;
        error = caught;
      }
      if (!error.retryable || attempt >= maxAttempts) throw error;
      const delayMs = Math.max(error.retryAfterMs ?? 0, backoffDelayMs(attempt, policy));
      // Waiting past the deadline only to be cut off: surface the last error now instead.
      if (now().getTime() + delayMs >= deadline) throw error;
      options.onRetry?.({ action, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }

  async function attemptOnce(
    action: string,
    region: string,
    query: Array<[string, string]>,
    timeoutMs: number,
  ): Promise<ApiAnswer> {
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
      service: SERVICE,
      credentials: options.credentials,
      date: now(),
    });
    Object.assign(headers, signed.headers);
    const authorization = signed.headers.Authorization ?? '';
    const clean = redactor([...secrets, authorization, authorization.split('Signature=')[1]]);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let response: TransportResponse;
    try {
      const url = `${endpoint.origin}/?${canonicalQuery(query)}`;
      response = await transport({ method: 'GET', url, headers, signal: controller.signal });
    } catch (caught) {
      throw errorFromTransport(action, caught, timedOut ? timeoutMs : undefined, clean);
    } finally {
      clearTimeout(timer);
    }
    return readAnswer(action, response, clean, now());
  }

  return {
    async attachKeyPair(input: AttachKeyPairCall): Promise<AttachKeyPairAnswer> {
      checkAttachInput(input);
      const params: Array<[string, string]> = input.instanceIds.map((id, i) => [
        `InstanceIds.${i + 1}`,
        id,
      ]);
      // Both may go: the API lets KeyPairId win.
      if (input.keyPairName) params.push(['KeyPairName', input.keyPairName]);
      if (input.keyPairId) params.push(['KeyPairId', input.keyPairId]);
      params.push(['ClientToken', input.clientToken]);
      const answer = await call('AttachKeyPair', input.region, params);
      return {
        requestId: answer.requestId,
        outcomes: toOutcomes(input.instanceIds, answer.result),
      };
    },

    async describeKeyPairs(input) {
      const params: Array<[string, string]> = [];
      if (input.maxResults !== undefined) params.push(['MaxResults', String(input.maxResults)]);
      const answer = await call('DescribeKeyPairs', input.region, params);
      const list = isRecord(answer.result) ? answer.result.KeyPairs : undefined;
      const keyPairs = (Array.isArray(list) ? list : []).filter(isRecord).map((k) => ({
        keyPairId: String(k.KeyPairId ?? ''),
        keyPairName: String(k.KeyPairName ?? ''),
      }));
      return {
        requestId: answer.requestId,
        ...(answer.serverDate ? { serverDate: answer.serverDate } : {}),
        keyPairs,
      };
    },

    close: async () => {
      await ownTransport?.close();
    },
  };
}

function checkAttachInput(input: AttachKeyPairCall): void {
  const ids = input.instanceIds;
  if (ids.length === 0) {
    throw refusal('MissingParameter.InstanceIds', 'No instance ids were given to AttachKeyPair');
  }
  if (ids.length > MAX_INSTANCE_IDS) {
    throw refusal(
      'LimitExceeded.MaximumInstanceIds',
      `AttachKeyPair takes at most ${MAX_INSTANCE_IDS} instance ids per call, got ${ids.length}`,
    );
  }
  if (ids.some((id) => typeof id !== 'string' || id.trim() === '')) {
    throw refusal('InvalidParameter.InstanceIds', 'An instance id given to AttachKeyPair is empty');
  }
  if (!input.keyPairName && !input.keyPairId) {
    throw refusal(
      'MissingParameter.KeyPairNameAndKeyPairId',
      'AttachKeyPair needs a key pair name or a key pair id',
    );
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(input.clientToken)) {
    throw refusal(
      'InvalidClientToken.Malformed',
      'The ClientToken must be 1 to 64 printable ASCII characters',
    );
  }
}

/** One outcome per requested instance, in request order; listed with an error code = failed. */
function toOutcomes(instanceIds: readonly string[], result: unknown): InstanceOutcome[] {
  const details = isRecord(result) ? result.OperationDetails : undefined;
  const failures = new Map<string, { code: string; message: string }>();
  for (const detail of Array.isArray(details) ? details : []) {
    if (!isRecord(detail) || typeof detail.InstanceId !== 'string') continue;
    const error = detail.Error;
    if (!isRecord(error) || typeof error.Code !== 'string' || error.Code === '') continue;
    if (failures.has(detail.InstanceId)) continue;
    const message = typeof error.Message === 'string' ? error.Message : '';
    failures.set(detail.InstanceId, { code: error.Code, message });
  }
  return instanceIds.map((instanceId) => {
    const failure = failures.get(instanceId);
    return failure ? { instanceId, ok: false, ...failure } : { instanceId, ok: true };
  });
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

/** Refused before sending: never retryable. */
function refusal(code: string, message: string): VolcApiError {
  return new VolcApiError({ code, message, retryable: false });
}

function parseEndpoint(endpoint: string): { origin: string; host: string } {
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

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
