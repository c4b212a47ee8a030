import { createHash } from 'node:crypto';
import type { Transport, TransportRequest, TransportResponse } from './ecs-client.js';

/*
 * Sandbox ECS (VOLC_SANDBOX=true): a simulated Volcengine ECS behind the client's Transport, so
 * parsing, batching, retries and results run exactly as against the real API. No network, no
 * credentials, state in memory only. Outcomes are chosen by words in the ids (case-insensitive),
 * so anyone can trigger each one on purpose:
 *
 * Instances (per instance, in Result.OperationDetails; the first matching word wins):
 *   missing          -> InvalidInstance.NotFound
 *   windows          -> InvalidKeyPairForWindows.Unsupported
 *   noagent          -> InvalidResetAuthenticationAgent.NotFound
 *   busy, starting   -> InvalidInstanceStatus (neither Running nor Stopped)
 *   throttle         -> FlowLimitExceeded
 *   anything else    -> ok (e.g. i-abc123 Running, i-stopped01 Stopped)
 * Key pairs (KeyPairId wins when both are given):
 *   KeyPairName      any name, except one containing `missing` -> 404 InvalidKeyPair.NotFound
 *   KeyPairId        must start with `kp-` and not contain `missing`, else 404 InvalidKeyPair.NotFound
 *   flaky            the first attempt of each ClientToken answers 500 InternalError
 *   slow             adds 2 s of latency to every call
 * Request level, as on the AttachKeyPair page: no InstanceIds -> 400 MissingParameter.InstanceIds,
 * more than 100 -> 400 LimitExceeded.MaximumInstanceIds, no key pair -> 400
 * MissingParameter.KeyPairNameAndKeyPairId, ClientToken over 64 chars or non-ASCII -> 400
 * InvalidClientToken.Malformed, same ClientToken + same parameters -> the stored answer (same
 * RequestId, not applied again), same ClientToken + other parameters -> 400
 * IdempotentParameterMismatch. Gateway: no Authorization header -> 401 MissingAuthenticationToken
 * (signatures are not checked), unknown Action or Version -> 404 InvalidActionOrVersion. Region
 * comes from the credential scope. A call the caller abandons (timeout) still completes here, as
 * it would on the real service, so its retry gets the stored answer.
 */

const VERSION = '2020-04-01';
const SERVICE = 'ecs';
const MAX_INSTANCE_IDS = 100;
const MAX_CLIENT_TOKEN = 64;
const DEFAULT_LATENCY_MS = 50;
const SLOW_EXTRA_MS = 2_000;

export interface SandboxKeyPair {
  keyPairId: string;
  keyPairName: string;
  description: string;
}

export interface SandboxInstance {
  instanceId: string;
  status: 'RUNNING' | 'STOPPED' | 'STARTING' | 'REBOOTING';
  osType: 'Linux' | 'Windows';
  /** What AttachKeyPair answers for it: 'ok' or the per-instance error code. */
  outcome: string;
}

/** The key pairs DescribeKeyPairs lists. Other names are accepted too (see the rules above). */
export const SANDBOX_KEY_PAIRS: readonly SandboxKeyPair[] = [
  { keyPairId: 'kp-sandbox-ops', keyPairName: 'sandbox-ops', description: 'Always works' },
  { keyPairId: 'kp-sandbox-deploy', keyPairName: 'sandbox-deploy', description: 'Always works' },
  {
    keyPairId: 'kp-sandbox-flaky',
    keyPairName: 'sandbox-flaky',
    description: 'First attempt of each ClientToken fails with 500 InternalError',
  },
  { keyPairId: 'kp-sandbox-slow', keyPairName: 'sandbox-slow', description: 'Adds 2 s latency' },
];

/** Example instances, one per outcome. Any other id works too; its words decide the outcome. */
export const SANDBOX_INSTANCES: readonly SandboxInstance[] = [
  { instanceId: 'i-abc123', status: 'RUNNING', osType: 'Linux', outcome: 'ok' },
  { instanceId: 'i-stopped01', status: 'STOPPED', osType: 'Linux', outcome: 'ok' },
  {
    instanceId: 'i-missing01',
    status: 'RUNNING',
    osType: 'Linux',
    outcome: 'InvalidInstance.NotFound',
  },
  {
    instanceId: 'i-windows01',
    status: 'RUNNING',
    osType: 'Windows',
    outcome: 'InvalidKeyPairForWindows.Unsupported',
  },
  {
    instanceId: 'i-noagent01',
    status: 'RUNNING',
    osType: 'Linux',
    outcome: 'InvalidResetAuthenticationAgent.NotFound',
  },
  {
    instanceId: 'i-busy01',
    status: 'REBOOTING',
    osType: 'Linux',
    outcome: 'InvalidInstanceStatus',
  },
  {
    instanceId: 'i-starting01',
    status: 'STARTING',
    osType: 'Linux',
    outcome: 'InvalidInstanceStatus',
  },
  { instanceId: 'i-throttle01', status: 'RUNNING', osType: 'Linux', outcome: 'FlowLimitExceeded' },
];

// Messages are the API page's English ones, typos included.
const INSTANCE_RULES: ReadonlyArray<{ words: string[]; code: string; message: string }> = [
  {
    words: ['missing'],
    code: 'InvalidInstance.NotFound',
    message: 'The specified instance does not exist.',
  },
  {
    words: ['windows'],
    code: 'InvalidKeyPairForWindows.Unsupported',
    message: 'The OSType of this specified instance is Windows, which does not support key pairs.',
  },
  {
    words: ['noagent'],
    code: 'InvalidResetAuthenticationAgent.NotFound',
    message: 'The specified reset-authentication agent does not install on the instance.',
  },
  {
    words: ['busy', 'starting'],
    code: 'InvalidInstanceStatus',
    message: 'The status of the specified instance does not support this request.',
  },
  {
    words: ['throttle'],
    code: 'FlowLimitExceeded',
    message: "You've reach the limit on request rate of resources.",
  },
];

const MESSAGES = {
  'MissingParameter.KeyPairNameAndKeyPairId':
    'The required parameters KeyPairName and KeyPairId are not supplied.',
  'MissingParameter.InstanceIds': 'The required parameter InstanceIds is not supplied.',
  'LimitExceeded.MaximumInstanceIds':
    "You've reached the limit on the number of InstanceIds that you can set.",
  'InvalidClientToken.Malformed': 'The specified ClientToken is malformed.',
  IdempotentParameterMismatch:
    'The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.',
  'InvalidKeyPair.NotFound': 'The specified KeyPair does not exist.',
  InternalError: 'An internal error has occurred.',
} as const;

/** A short plain-text list of the sandbox triggers, for the README and the help text. */
export function describeSandboxBehaviour(): string {
  return [
    'Sandbox mode (VOLC_SANDBOX=true): ECS calls are simulated, nothing is really bound.',
    'Instance ids decide each instance outcome (first matching word wins):',
    ...INSTANCE_RULES.map((r) => `  ${r.words.map((w) => `"${w}"`).join(' or ')} -> ${r.code}`),
    '  anything else (e.g. i-abc123, i-stopped01) -> ok',
    'Key pairs (a KeyPairId wins over a name):',
    '  any name works, except one containing "missing" -> InvalidKeyPair.NotFound',
    '  an id must start with "kp-" and not contain "missing"',
    '  "flaky" -> the first attempt fails with 500 InternalError, the retry succeeds',
    '  "slow" -> every call takes 2 s longer',
    `Listed key pairs: ${SANDBOX_KEY_PAIRS.map((k) => `${k.keyPairName} (${k.keyPairId})`).join(', ')}`,
  ].join('\n');
}

export interface SandboxBinding {
  keyPairId: string;
  keyPairName: string;
  region: string;
}

/** What the sandbox did, for tests and curious users. */
export interface SandboxInventory {
  /** AttachKeyPair calls applied; replays of a stored ClientToken answer do not count. */
  readonly applications: number;
  /** Instance id -> the key pair the last applied call bound to it. */
  readonly bindings: ReadonlyMap<string, SandboxBinding>;
  readonly keyPairs: readonly SandboxKeyPair[];
}

export interface SandboxOptions {
  /** Simulated latency of every call; default 50 ms. */
  latencyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** For the Date header and RequestIds. */
  now?: () => Date;
}

interface Meta {
  action: string;
  version: string;
  region: string;
}

interface Reply {
  status: number;
  body: string;
}

type Payload = { result: unknown } | { error: { code: string; message: string } };

export function createSandboxTransport(
  options: SandboxOptions = {},
): Transport & { close(): Promise<void>; inventory: SandboxInventory } {
  const latencyMs = Math.max(0, options.latencyMs ?? DEFAULT_LATENCY_MS);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => new Date());
  let sequence = 0;
  let applications = 0;
  const bindings = new Map<string, SandboxBinding>();
  /** Region + ClientToken -> the parameters and the answer given. */
  const answered = new Map<string, { fingerprint: string; body: string }>();
  const flakyTripped = new Set<string>();

  function reply(meta: Meta, status: number, payload: Payload): Reply {
    const stamp = now().toISOString().replace(/\D/g, '').slice(0, 14);
    const metadata: Record<string, unknown> = {
      RequestId: `${stamp}-sandbox-${String(++sequence).padStart(6, '0')}`,
      Action: meta.action,
      Version: meta.version,
      Service: SERVICE,
      Region: meta.region,
    };
    if ('error' in payload) {
      metadata.Error = { Code: payload.error.code, Message: payload.error.message };
      return { status, body: JSON.stringify({ ResponseMetadata: metadata }) };
    }
    return { status, body: JSON.stringify({ ResponseMetadata: metadata, Result: payload.result }) };
  }

  function fail(meta: Meta, status: number, code: string, message: string): Reply {
    return reply(meta, status, { error: { code, message } });
  }

  function attach(meta: Meta, query: URLSearchParams): Reply {
    const ids = readInstanceIds(query);
    const keyPairName = query.get('KeyPairName') || undefined;
    const keyPairId = query.get('KeyPairId') || undefined;
    const token = query.get('ClientToken') || undefined;
    const refuse = (code: keyof typeof MESSAGES, status = 400) =>
      fail(meta, status, code, MESSAGES[code]);
    if (ids.length === 0) return refuse('MissingParameter.InstanceIds');
    if (ids.length > MAX_INSTANCE_IDS) return refuse('LimitExceeded.MaximumInstanceIds');
    if (!keyPairName && !keyPairId) return refuse('MissingParameter.KeyPairNameAndKeyPairId');
    if (token !== undefined && !isClientTokenValid(token)) {
      return refuse('InvalidClientToken.Malformed');
    }
    const fingerprint = JSON.stringify([meta.action, ids, keyPairName ?? null, keyPairId ?? null]);
    const tokenKey = token === undefined ? undefined : `${meta.region}\n${token}`;
    const earlier = tokenKey === undefined ? undefined : answered.get(tokenKey);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) return refuse('IdempotentParameterMismatch');
      return { status: 200, body: earlier.body };
    }
    const keyPair = resolveKeyPair(keyPairName, keyPairId);
    if (!keyPair) return refuse('InvalidKeyPair.NotFound', 404);
    const flakyKey = tokenKey ?? fingerprint;
    if (hasWord(keyPair, 'flaky') && !flakyTripped.has(flakyKey)) {
      flakyTripped.add(flakyKey);
      return refuse('InternalError', 500);
    }
    const details = ids.map((instanceId) => {
      const rule = INSTANCE_RULES.find((r) => r.words.some((w) => hasWord(instanceId, w)));
      if (!rule) {
        const { keyPairId, keyPairName } = keyPair;
        bindings.set(instanceId, { keyPairId, keyPairName, region: meta.region });
      }
      return {
        InstanceId: instanceId,
        Error: rule ? { Code: rule.code, Message: rule.message } : null,
      };
    });
    applications += 1;
    const answer = reply(meta, 200, { result: { OperationDetails: details } });
    if (tokenKey !== undefined) answered.set(tokenKey, { fingerprint, body: answer.body });
    return answer;
  }

  function describeKeyPairs(meta: Meta, query: URLSearchParams): Reply {
    const max = query.get('MaxResults');
    const limit = max === null ? SANDBOX_KEY_PAIRS.length : Number(max);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return fail(meta, 400, 'InvalidParameter', 'The specified parameter MaxResults is invalid.');
    }
    const start = Number(query.get('NextToken') || '0');
    if (!Number.isInteger(start) || start < 0) {
      return fail(meta, 400, 'InvalidParameter', 'The specified parameter NextToken is invalid.');
    }
    const page = SANDBOX_KEY_PAIRS.slice(start, start + limit);
    const next = start + page.length < SANDBOX_KEY_PAIRS.length ? String(start + page.length) : '';
    return reply(meta, 200, {
      result: { KeyPairs: page.map(toApiKeyPair), NextToken: next },
    });
  }

  function answer(req: TransportRequest): Reply {
    const call = readCall(req);
    if (!call.ok) return fail(call.meta, call.status, call.code, call.message);
    if (call.meta.action === 'AttachKeyPair') return attach(call.meta, call.query);
    if (call.meta.action === 'DescribeKeyPairs') return describeKeyPairs(call.meta, call.query);
    return fail(call.meta, 404, 'InvalidActionOrVersion', invalidActionMessage(call.meta));
  }

  async function handle(req: TransportRequest): Promise<TransportResponse> {
    const wait = latencyMs + (isSlowCall(req) ? SLOW_EXTRA_MS : 0);
    if (wait > 0) await sleep(wait);
    let result: Reply;
    try {
      result = answer(req);
    } catch {
      result = fail(
        { action: '', version: '', region: '' },
        500,
        'InternalError',
        MESSAGES.InternalError,
      );
    }
    return {
      status: result.status,
      headers: { date: now().toUTCString(), 'content-type': 'application/json' },
      body: result.body,
    };
  }

  const transport: Transport = (req) => {
    // Never reached the server: nothing happens.
    if (req.signal.aborted) return Promise.reject(abortReason(req.signal));
    // Once sent it completes even if the caller gives up, like the real service.
    return raceAbort(handle(req), req.signal);
  };
  const inventory: SandboxInventory = {
    get applications() {
      return applications;
    },
    bindings,
    keyPairs: SANDBOX_KEY_PAIRS,
  };
  return Object.assign(transport, { close: async () => {}, inventory });
}

type ReadCall =
  | { ok: true; meta: Meta; query: URLSearchParams }
  | { ok: false; meta: Meta; status: number; code: string; message: string };

/** The gateway's checks, before any action runs. Never echoes the Authorization header. */
function readCall(req: TransportRequest): ReadCall {
  const query = readQuery(req.url);
  const meta: Meta = {
    action: query?.get('Action') ?? '',
    version: query?.get('Version') ?? '',
    region: '',
  };
  const refuse = (status: number, code: string, message: string): ReadCall => ({
    ok: false,
    meta,
    status,
    code,
    message,
  });
  if (!query) return refuse(400, 'MissingRequestInfo', 'The request URL could not be read.');
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) {
    return refuse(401, 'MissingAuthenticationToken', 'The request has no Authorization header.');
  }
  // Credential=AK/yyyymmdd/region/service/request; the AK itself is never needed.
  const scope = /Credential=[^,\s]*?\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/request(?:[,\s]|$)/.exec(
    authorization,
  );
  if (!scope?.[2] || !scope[3]) {
    return refuse(400, 'MissingRequestInfo', 'The credential scope is missing or malformed.');
  }
  meta.region = scope[2];
  if (scope[3] !== SERVICE) {
    return refuse(404, 'ServiceNotFound', 'The service in the credential scope is not ecs.');
  }
  if (!meta.action || !meta.version) {
    return refuse(
      400,
      'MissingParameter',
      'The required parameters Action and Version are needed.',
    );
  }
  if (req.method !== 'GET') {
    return refuse(405, 'MethodNotAllowed', `The method ${req.method} is not allowed.`);
  }
  if (meta.version !== VERSION) {
    return refuse(404, 'InvalidActionOrVersion', invalidActionMessage(meta));
  }
  return { ok: true, meta, query };
}

function invalidActionMessage(meta: Meta): string {
  return `The specified Action ${meta.action} or Version ${meta.version} is invalid.`;
}

/** InstanceIds.1, InstanceIds.2, … in the order of N; empty values are not ids. */
function readInstanceIds(query: URLSearchParams): string[] {
  const numbered: Array<[number, string]> = [];
  for (const [key, value] of query) {
    const match = /^InstanceIds\.([1-9]\d*)$/.exec(key);
    if (match && value !== '') numbered.push([Number(match[1]), value]);
  }
  return numbered.sort((a, b) => a[0] - b[0]).map(([, id]) => id);
}

function resolveKeyPair(name?: string, id?: string): SandboxKeyPair | undefined {
  if (id !== undefined) {
    if (!id.startsWith('kp-') || hasWord(id, 'missing')) return undefined;
    return (
      SANDBOX_KEY_PAIRS.find((k) => k.keyPairId === id) ?? {
        keyPairId: id,
        keyPairName: id,
        description: '',
      }
    );
  }
  if (name === undefined || hasWord(name, 'missing')) return undefined;
  return (
    SANDBOX_KEY_PAIRS.find((k) => k.keyPairName === name) ?? {
      keyPairId: `kp-sbx${digest('sha256', name).slice(0, 12)}`,
      keyPairName: name,
      description: '',
    }
  );
}

/** ASCII only, at most 64 characters (the API page). */
function isClientTokenValid(token: string): boolean {
  return token.length <= MAX_CLIENT_TOKEN && [...token].every((c) => c.charCodeAt(0) < 0x80);
}

function readQuery(url: string): URLSearchParams | undefined {
  try {
    return new URL(url).searchParams;
  } catch {
    return undefined;
  }
}

/** `slow` on the key pair that takes effect (KeyPairId over KeyPairName). */
function isSlowCall(req: TransportRequest): boolean {
  const query = readQuery(req.url);
  const keyPair = query?.get('KeyPairId') || query?.get('KeyPairName');
  return query?.get('Action') === 'AttachKeyPair' && !!keyPair && hasWord(keyPair, 'slow');
}

function hasWord(subject: string | SandboxKeyPair, word: string): boolean {
  const text =
    typeof subject === 'string' ? subject : `${subject.keyPairId} ${subject.keyPairName}`;
  return text.toLowerCase().includes(word);
}

function toApiKeyPair(k: SandboxKeyPair): Record<string, unknown> {
  return {
    KeyPairId: k.keyPairId,
    KeyPairName: k.keyPairName,
    Description: k.description,
    FingerPrint: digest('md5', k.keyPairId).match(/../g)?.join(':') ?? '',
    CreatedAt: '2024-01-01T00:00:00+08:00',
    UpdatedAt: '2024-01-01T00:00:00+08:00',
    ProjectName: 'default',
    Tags: [],
  };
}

function digest(algorithm: 'md5' | 'sha256', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
