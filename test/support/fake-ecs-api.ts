import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeSignature } from '../../src/volcengine/signer.js';

// A Volcengine OpenAPI stand-in on 127.0.0.1:<random port>. It verifies every signature with the
// project's own signer, records every call, is idempotent on ClientToken like the real API, and
// can be scripted call by call to fail, stall, reset the connection or answer slowly.

export interface FakeEcsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type AuthCheck = { ok: true } | { ok: false; code: string; reason: string };

export interface RecordedEcsCall {
  /** 1-based arrival order. */
  seq: number;
  /** Date.now() at arrival. */
  at: number;
  method: string;
  path: string;
  /** The query string exactly as it arrived (without `?`). */
  rawQuery: string;
  /** Decoded query pairs in wire order. */
  pairs: Array<[string, string]>;
  query: Record<string, string>;
  action?: string;
  version?: string;
  /** From the credential scope of the Authorization header. */
  region?: string;
  service?: string;
  accessKeyId?: string;
  signedHeaders?: string;
  clientToken?: string;
  /** In InstanceIds.N order. */
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  auth: AuthCheck;
  /** What the fake did: the step kind, or 'default' / 'rejected'. */
  handledAs: string;
  /** True when this call created an application (attached keys). */
  applied: boolean;
  /** HTTP status answered (undefined for a reset or a call never answered). */
  status?: number;
  requestId?: string;
}

export interface Application {
  clientToken: string;
  region: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  /** Instances whose key was actually attached (no per-instance error). */
  attached: string[];
  /** Calls that replayed this application with the same token. */
  replays: number;
  at: number;
  fingerprint: string;
  answer: { status: number; body: unknown };
}

/** What the next matching call gets. `apply` makes the API apply the call before misbehaving. */
export type EcsStep = { action?: string } & (
  | { kind: 'ok' }
  | { kind: 'delay'; ms: number }
  | {
      kind: 'error';
      status: number;
      code: string;
      message?: string;
      /** Sent as the Retry-After header. */
      retryAfter?: string | number;
      apply?: boolean;
    }
  | { kind: 'raw'; status: number; body: string; contentType?: string; apply?: boolean }
  | { kind: 'reset'; apply?: boolean }
  | { kind: 'hang'; apply?: boolean; held?: HeldControl }
);

interface HeldControl {
  onArrive(call: RecordedEcsCall, answer: (how: 'respond' | 'reset') => void): void;
}

export interface HeldCall {
  /** Resolves with the call once it arrives (and is applied, when `apply` was asked). */
  arrived: Promise<RecordedEcsCall>;
  /** Answer normally now (or as soon as it arrives). A no-op if the client already left. */
  release(): void;
  /** Drop the connection without an answer. */
  reset(): void;
}

export interface FakeEcsApi {
  url: string;
  credentials: FakeEcsCredentials;
  calls: RecordedEcsCall[];
  applications: Map<string, Application>;
  /** Queue behaviours for the next calls (first matching step per call), then default. */
  script(...steps: EcsStep[]): void;
  /** Steps not consumed yet. */
  pendingSteps(): number;
  /** Every AttachKeyPair naming this instance fails with this per-instance error. */
  failInstance(instanceId: string, code: string, message?: string): void;
  /** Queue a call that is held open until released; `apply: true` = applied but unanswered. */
  hold(options?: { apply?: boolean; action?: string }): HeldCall;
  /** How many applications actually attached a key to this instance. */
  timesApplied(instanceId: string): number;
  callsFor(action: string): RecordedEcsCall[];
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
  /** Forget calls, applications, script and per-instance failures. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeEcsOptions {
  credentials: FakeEcsCredentials;
  /** Every call is answered after this delay (benchmarks). */
  latencyMs?: number;
  /** What DescribeKeyPairs lists. */
  keyPairs?: Array<{ keyPairId: string; keyPairName: string }>;
  /** When true, AttachKeyPair with a key pair not in `keyPairs` answers 404 InvalidKeyPair.NotFound. */
  strictKeyPairs?: boolean;
}

const VERSION = '2020-04-01';
const JSON_TYPE = 'application/json; charset=utf-8';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const INSTANCE_MESSAGES: Record<string, string> = {
  'InvalidInstance.NotFound': 'The specified instance does not exist.',
  'InvalidKeyPairForWindows.Unsupported':
    'The OSType of this specified instance is Windows, which does not support key pairs.',
  'InvalidResetAuthenticationAgent.NotFound':
    'The specified reset-authentication agent does not install on the instance.',
  InvalidInstanceStatus: 'The status of the specified instance does not support this request.',
  FlowLimitExceeded: "You've reach the limit on request rate of resources.",
};

export async function startFakeEcsApi(options: FakeEcsOptions): Promise<FakeEcsApi> {
  const calls: RecordedEcsCall[] = [];
  const applications = new Map<string, Application>();
  let steps: EcsStep[] = [];
  const instanceFailures = new Map<string, { code: string; message: string }>();
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const keyPairs = options.keyPairs ?? [{ keyPairId: 'kp-fake00000001', keyPairName: 'fake-key' }];
  let seq = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const call = record(req, body);
    if (!call.auth.ok) {
      call.handledAs = 'rejected';
      const status = call.auth.code === 'MissingRequestInfo' ? 400 : 401;
      notify();
      reply(res, call, failure(call, status, call.auth.code, call.auth.reason));
      return;
    }
    const step = takeStep(call.action);
    call.handledAs = step?.kind ?? 'default';
    const normal = () => reply(res, call, respondNormally(call));
    const act = () => {
      // "The API applied it" happens before anyone waiting on calls hears of the call.
      if (step && 'apply' in step && step.apply && call.action === 'AttachKeyPair') attach(call);
      notify();
      if (!step || step.kind === 'ok') normal();
      else if (step.kind === 'delay') later(step.ms, normal);
      else if (step.kind === 'error') {
        const headers: Record<string, string> = {};
        if (step.retryAfter !== undefined) headers['Retry-After'] = String(step.retryAfter);
        const message = step.message ?? step.code;
        reply(res, call, { ...failure(call, step.status, step.code, message), headers });
      } else if (step.kind === 'raw') {
        const contentType = step.contentType ?? 'text/html';
        reply(res, call, { status: step.status, body: step.body, contentType });
      } else if (step.kind === 'reset') res.socket?.destroy();
      else {
        step.held?.onArrive(call, (how) => {
          if (res.writableEnded || res.destroyed) return;
          if (how === 'reset') res.socket?.destroy();
          else normal();
        });
      }
    };
    if (options.latencyMs) later(options.latencyMs, act);
    else act();
  }

  function respondNormally(call: RecordedEcsCall): Reply {
    if (call.version !== VERSION) {
      return failure(call, 404, 'InvalidActionOrVersion', `Unknown version ${call.version}`);
    }
    if (call.action === 'DescribeKeyPairs') {
      const KeyPairs = keyPairs.map((k) => ({
        KeyPairId: k.keyPairId,
        KeyPairName: k.keyPairName,
      }));
      return success(call, { KeyPairs, NextToken: '' });
    }
    if (call.action !== 'AttachKeyPair') {
      return failure(call, 404, 'InvalidActionOrVersion', `Unknown action ${call.action}`);
    }
    const invalid = validateAttach(call);
    if (invalid) return failure(call, invalid.status, invalid.code, invalid.message);
    const application = attach(call);
    if (!application) {
      const message =
        'The request uses the same client token as a previous, but non-identical request.';
      return failure(call, 400, 'IdempotentParameterMismatch', message);
    }
    return success(call, application.answer.body);
  }

  function validateAttach(
    call: RecordedEcsCall,
  ): { status: number; code: string; message: string } | undefined {
    if (call.instanceIds.length === 0) {
      return {
        status: 400,
        code: 'MissingParameter.InstanceIds',
        message: 'The required parameter InstanceIds is not supplied.',
      };
    }
    if (call.instanceIds.length > 100) {
      return {
        status: 400,
        code: 'LimitExceeded.MaximumInstanceIds',
        message: "You've reached the limit on the number of InstanceIds that you can set.",
      };
    }
    if (!call.keyPairName && !call.keyPairId) {
      return {
        status: 400,
        code: 'MissingParameter.KeyPairNameAndKeyPairId',
        message: 'The required parameters KeyPairName and KeyPairId are not supplied.',
      };
    }
    const token = call.clientToken;
    if (token !== undefined && (token.length > 64 || [...token].some((c) => c > '\u007f'))) {
      return {
        status: 400,
        code: 'InvalidClientToken.Malformed',
        message: 'The specified ClientToken is malformed.',
      };
    }
    if (options.strictKeyPairs) {
      const known = call.keyPairId
        ? keyPairs.some((k) => k.keyPairId === call.keyPairId)
        : keyPairs.some((k) => k.keyPairName === call.keyPairName);
      if (!known)
        return {
          status: 404,
          code: 'InvalidKeyPair.NotFound',
          message: 'The specified KeyPair does not exist.',
        };
    }
    return undefined;
  }

  /** The application for this call: new, replayed, or undefined on a parameter mismatch. */
  function attach(call: RecordedEcsCall): Application | undefined {
    const fingerprint = JSON.stringify([
      call.region,
      call.pairs
        .filter(([k]) => k !== 'ClientToken')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ]);
    const token = call.clientToken ?? `no-token-${call.seq}`;
    const existing = applications.get(token);
    if (existing) {
      if (existing.fingerprint !== fingerprint) return undefined;
      existing.replays += 1;
      return existing;
    }
    const details = call.instanceIds.map((id) => {
      const failure = instanceFailures.get(id);
      return {
        InstanceId: id,
        Error: failure ? { Code: failure.code, Message: failure.message } : null,
      };
    });
    const application: Application = {
      clientToken: token,
      region: call.region ?? '',
      instanceIds: [...call.instanceIds],
      ...(call.keyPairName ? { keyPairName: call.keyPairName } : {}),
      ...(call.keyPairId ? { keyPairId: call.keyPairId } : {}),
      attached: call.instanceIds.filter((id) => !instanceFailures.has(id)),
      replays: 0,
      at: Date.now(),
      fingerprint,
      answer: { status: 200, body: { OperationDetails: details } },
    };
    applications.set(token, application);
    call.applied = true;
    return application;
  }

  function record(req: IncomingMessage, body: string): RecordedEcsCall {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    const pairs = parseQuery(rawQuery);
    const query = Object.fromEntries(pairs);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const instanceIds = pairs
      .map(([k, v]) => [/^InstanceIds\.(\d+)$/.exec(k)?.[1], v] as const)
      .filter((e): e is readonly [string, string] => e[0] !== undefined)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([, v]) => v);
    const path = q >= 0 ? url.slice(0, q) : url;
    const call: RecordedEcsCall = {
      seq: ++seq,
      at: Date.now(),
      method: req.method ?? '',
      path,
      rawQuery,
      pairs,
      query,
      instanceIds,
      headers,
      auth: { ok: true },
      handledAs: 'default',
      applied: false,
      ...(query.Action !== undefined ? { action: query.Action } : {}),
      ...(query.Version !== undefined ? { version: query.Version } : {}),
      ...(query.ClientToken !== undefined ? { clientToken: query.ClientToken } : {}),
      ...(query.KeyPairName !== undefined ? { keyPairName: query.KeyPairName } : {}),
      ...(query.KeyPairId !== undefined ? { keyPairId: query.KeyPairId } : {}),
    };
    call.auth = verify(call, body);
    calls.push(call);
    return call;
  }

  function verify(call: RecordedEcsCall, body: string): AuthCheck {
    const h = call.headers;
    const authorization = h.authorization;
    if (!authorization) return deny('MissingAuthenticationToken', 'No Authorization header');
    const m =
      /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!m) return deny('SignatureDoesNotMatch', 'The Authorization header is malformed');
    const [, accessKeyId = '', shortDate = '', region = '', service = '', signedHeaders = ''] = m;
    Object.assign(call, { accessKeyId, region, service, signedHeaders });
    const xDate = h['x-date'];
    const date = xDate ? parseXDate(xDate) : undefined;
    if (!xDate || !date) return deny('MissingRequestInfo', 'X-Date is missing or malformed');
    if (xDate.slice(0, 8) !== shortDate) {
      return deny('SignatureDoesNotMatch', 'Credential scope date differs from X-Date');
    }
    if (accessKeyId !== options.credentials.accessKeyId) {
      return deny('InvalidAccessKey', 'The access key id does not exist');
    }
    const names = signedHeaders.split(';');
    const expectedToken = options.credentials.sessionToken;
    if (
      expectedToken &&
      (h['x-security-token'] !== expectedToken || !names.includes('x-security-token'))
    ) {
      return deny('InvalidAccessKey', 'The security token is missing or invalid');
    }
    if (h['x-content-sha256'] !== undefined && h['x-content-sha256'] !== sha256(body)) {
      return deny('SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body');
    }
    const signed: Record<string, string> = {};
    for (const name of names) {
      if (name === 'x-date' || name === 'x-security-token') continue;
      signed[name] = h[name] ?? '';
    }
    const token = names.includes('x-security-token') ? h['x-security-token'] : undefined;
    const expected = computeSignature({
      method: call.method,
      path: call.path,
      query: call.pairs,
      headers: signed,
      body,
      region,
      service,
      credentials: { ...options.credentials, sessionToken: token ?? null },
      date,
    });
    if (expected.signedHeaders !== signedHeaders || expected.authorization !== authorization) {
      return deny('SignatureDoesNotMatch', 'The request signature we calculated does not match');
    }
    return { ok: true };
  }

  function takeStep(action: string | undefined): EcsStep | undefined {
    const index = steps.findIndex((s) => s.action === undefined || s.action === action);
    if (index < 0) return undefined;
    return steps.splice(index, 1)[0];
  }

  function reply(res: ServerResponse, call: RecordedEcsCall, r: Reply): void {
    if (res.writableEnded || res.destroyed) return;
    call.status = r.status;
    res.writeHead(r.status, {
      'Content-Type': r.contentType,
      Date: new Date().toUTCString(),
      ...r.headers,
    });
    res.end(r.body);
  }

  function notify(): void {
    for (const waiter of [...waiters]) waiter();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: FakeEcsApi = {
    url: `http://127.0.0.1:${port}`,
    credentials: options.credentials,
    calls,
    applications,
    script: (...more) => {
      steps.push(...more);
    },
    pendingSteps: () => steps.length,
    failInstance: (instanceId, code, message) => {
      instanceFailures.set(instanceId, {
        code,
        message: message ?? INSTANCE_MESSAGES[code] ?? code,
      });
    },
    hold: (holdOptions = {}) => holdCall(holdOptions),
    timesApplied: (instanceId) =>
      [...applications.values()].filter((a) => a.attached.includes(instanceId)).length,
    callsFor: (action) => calls.filter((c) => c.action === action),
    waitForCalls: (count, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (calls.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fake ECS API: expected ${count} calls, got ${calls.length} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    reset: () => {
      calls.length = 0;
      applications.clear();
      steps = [];
      instanceFailures.clear();
      seq = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      steps = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function holdCall(holdOptions: { apply?: boolean; action?: string }): HeldCall {
    let arrive!: (call: RecordedEcsCall) => void;
    const arrived = new Promise<RecordedEcsCall>((resolve) => {
      arrive = resolve;
    });
    let answerHeld: ((how: 'respond' | 'reset') => void) | undefined;
    let early: 'respond' | 'reset' | undefined;
    const held: HeldControl = {
      onArrive(call, answerIt) {
        answerHeld = answerIt;
        arrive(call);
        if (early) answerIt(early);
      },
    };
    api.script({
      kind: 'hang',
      held,
      ...(holdOptions.apply !== undefined ? { apply: holdOptions.apply } : {}),
      ...(holdOptions.action !== undefined ? { action: holdOptions.action } : {}),
    });
    const finish = (how: 'respond' | 'reset') => {
      if (answerHeld) answerHeld(how);
      else early = how;
    };
    return { arrived, release: () => finish('respond'), reset: () => finish('reset') };
  }

  return api;
}

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

function envelope(call: RecordedEcsCall, extra: Record<string, unknown>): Record<string, unknown> {
  call.requestId = `fake${Date.now().toString(16)}${String(call.seq).padStart(6, '0')}`;
  const metadata = {
    RequestId: call.requestId,
    Action: call.action ?? '',
    Version: call.version ?? '',
    Service: call.service ?? 'ecs',
    Region: call.region ?? '',
  };
  return { ResponseMetadata: { ...metadata, ...extra } };
}

function success(call: RecordedEcsCall, result: unknown): Reply {
  const body = JSON.stringify({ ...envelope(call, {}), Result: result });
  return { status: 200, body, contentType: JSON_TYPE };
}

function failure(call: RecordedEcsCall, status: number, code: string, message: string): Reply {
  const body = JSON.stringify(envelope(call, { Error: { Code: code, Message: message } }));
  return { status, body, contentType: JSON_TYPE };
}

function deny(code: string, reason: string): AuthCheck {
  return { ok: false, code, reason };
}

function parseQuery(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return raw.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    return [decode(key), decode(value)];
  });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parseXDate(xDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
}

function sha256(text: string): string {
  return text === '' ? EMPTY_SHA256 : createHash('sha256').update(text, 'utf8').digest('hex');
}
