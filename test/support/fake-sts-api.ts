import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './fake-slack-api.js';
import {
  type KnownKey,
  parseQuery,
  type SignatureCheck,
  verifySignature,
} from './verify-signature.js';

// A Volcengine STS stand-in on 127.0.0.1:<random port>: AssumeRole only, every signature checked
// with the project's signer (service sts, the base key), temporary credentials issued with a
// configurable lifetime and remembered so an ECS stand-in can accept them (resolve). It can be
// scripted to refuse, fail, hang or be held, and records every call.

export interface FakeStsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RecordedStsCall {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  auth: SignatureCheck;
  /** HTTP status answered; undefined while held or for a call never answered. */
  status?: number;
  /** The temporary access key id issued by this call, if any. */
  issued?: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms on the fake's clock. */
  expiresAt: number;
  roleTrn: string;
}

export type StsStep =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'raw'; status: number; body: string }
  | { kind: 'hang' };

export interface FakeStsApi {
  url: string;
  calls: RecordedStsCall[];
  issued: IssuedCredentials[];
  /** The next calls get these, one each, then the normal answer. */
  script(...steps: StsStep[]): void;
  /** Every call gets this until called again with undefined. */
  failEvery(step: StsStep | undefined): void;
  /** The next call waits, after its signature was checked, until released. */
  hold(): { arrived: Promise<RecordedStsCall>; release(): void };
  /** Lifetime of the credentials issued from now on (default: the DurationSeconds asked). */
  setLifetime(seconds: number | undefined): void;
  /** The secret and token of a key this fake issued, for an ECS stand-in's verifier. */
  resolve(accessKeyId: string): (KnownKey & { sessionToken: string }) | undefined;
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeStsOptions {
  baseCredentials: FakeStsCredentials;
  /** GetCallerIdentity: the base key's account (default 2100000000). */
  baseAccountId?: string;
  /** Other long-lived keys STS knows (GetCallerIdentity), each of its account. */
  identities?: Array<FakeStsCredentials & { accountId: string }>;
  lifetimeSeconds?: number;
  /** Its clock for CurrentTime/ExpiredTime (default the real one). */
  now?: () => Date;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export async function startFakeStsApi(options: FakeStsOptions): Promise<FakeStsApi> {
  const now = options.now ?? (() => new Date());
  const calls: RecordedStsCall[] = [];
  const issued: IssuedCredentials[] = [];
  const waiters = new Set<() => void>();
  let steps: StsStep[] = [];
  let always: StsStep | undefined;
  let lifetime = options.lifetimeSeconds;
  let holds: Array<{ arrive: (c: RecordedStsCall) => void; gate: Promise<void> }> = [];
  let seq = 0;

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => void handle(req, res));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pairs = parseQuery(q >= 0 ? url.slice(q + 1) : '');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const base = options.baseCredentials;
    const call: RecordedStsCall = {
      seq: ++seq,
      method: req.method ?? '',
      path: q >= 0 ? url.slice(0, q) : url,
      query: Object.fromEntries(pairs),
      auth: verifySignature(
        {
          method: req.method ?? '',
          path: q >= 0 ? url.slice(0, q) : url,
          pairs,
          headers,
          body: '',
        },
        (ak) =>
          ak === base.accessKeyId
            ? { secretAccessKey: base.secretAccessKey }
            : options.identities?.find((i) => i.accessKeyId === ak),
      ),
    };
    calls.push(call);
    for (const waiter of [...waiters]) waiter();
    const hold = holds.shift();
    if (hold) {
      hold.arrive(call);
      await hold.gate;
    }
    reply(res, call, answer(call));
  }

  function answer(call: RecordedStsCall): { status: number; body: string } | 'hang' {
    if (!call.auth.ok)
      return failure(
        call,
        call.auth.code === 'MissingRequestInfo' ? 400 : 401,
        call.auth.code,
        call.auth.reason,
      );
    if (call.auth.service !== 'sts') {
      return failure(call, 404, 'ServiceNotFound', `Service ${call.auth.service} is not sts`);
    }
    const step = steps.shift() ?? always;
    if (step?.kind === 'hang') return 'hang';
    if (step?.kind === 'raw') return { status: step.status, body: step.body };
    if (step?.kind === 'error')
      return failure(call, step.status, step.code, step.message ?? step.code);
    const { Action, Version, RoleTrn, RoleSessionName, DurationSeconds } = call.query;
    if (Action === 'GetCallerIdentity' && Version === '2018-01-01') {
      const accountId =
        options.identities?.find((i) => i.accessKeyId === call.auth.accessKeyId)?.accountId ??
        options.baseAccountId ??
        '2100000000';
      return success(call, { AccountId: accountId, Trn: `trn:iam::${accountId}:user/fake` });
    }
    if (Action !== 'AssumeRole' || Version !== '2018-01-01') {
      return failure(call, 404, 'InvalidActionOrVersion', `Unknown ${Action} ${Version}`);
    }
    if (!RoleTrn || !/^trn:iam::\d+:role\/[\w+=,.@-]+$/.test(RoleTrn) || !RoleSessionName) {
      return failure(call, 400, 'InvalidParameter', 'RoleTrn or RoleSessionName is invalid');
    }
    const seconds = lifetime ?? Number(DurationSeconds ?? '3600');
    const at = now().getTime();
    const creds: IssuedCredentials = {
      accessKeyId: `AKTPfake${String(issued.length + 1).padStart(4, '0')}`,
      secretAccessKey: `FakeTempSecret${randomBytes(8).toString('hex')}`,
      sessionToken: `FakeSessionToken.${randomBytes(12).toString('hex')}`,
      expiresAt: at + seconds * 1000,
      roleTrn: RoleTrn,
    };
    issued.push(creds);
    call.issued = creds.accessKeyId;
    return success(call, {
      Credentials: {
        AccessKeyId: creds.accessKeyId,
        SecretAccessKey: creds.secretAccessKey,
        SessionToken: creds.sessionToken,
        CurrentTime: new Date(at).toISOString(),
        ExpiredTime: new Date(creds.expiresAt).toISOString(),
      },
      AssumedRoleUser: { Trn: `${RoleTrn}/${RoleSessionName}`, AssumedRoleId: 'fake:role' },
    });
  }

  function reply(
    res: ServerResponse,
    call: RecordedStsCall,
    r: { status: number; body: string } | 'hang',
  ) {
    if (r === 'hang' || res.writableEnded || res.destroyed) return;
    call.status = r.status;
    res.writeHead(r.status, { 'Content-Type': JSON_TYPE, Date: new Date().toUTCString() });
    res.end(r.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    issued,
    script: (...more) => {
      steps.push(...more);
    },
    failEvery: (step) => {
      always = step;
    },
    hold: () => {
      let arrive!: (c: RecordedStsCall) => void;
      let release!: () => void;
      const arrived = new Promise<RecordedStsCall>((r) => {
        arrive = r;
      });
      const gate = new Promise<void>((r) => {
        release = r;
      });
      holds.push({ arrive, gate });
      return { arrived, release: () => release() };
    },
    setLifetime: (seconds) => {
      lifetime = seconds;
    },
    resolve: (accessKeyId) => {
      const found = issued.find((c) => c.accessKeyId === accessKeyId);
      return found
        ? {
            secretAccessKey: found.secretAccessKey,
            sessionToken: found.sessionToken,
            expiresAt: found.expiresAt,
          }
        : undefined;
    },
    waitForCalls: (count, timeoutMs = 5_000) =>
      waitUntil(() => calls.length >= count, `${count} calls`, timeoutMs, waiters).then(
        () => {},
        () => {
          throw new Error(
            `fake STS: expected ${count} calls, got ${calls.length} within ${timeoutMs} ms`,
          );
        },
      ),
    close: async () => {
      steps = [];
      always = undefined;
      holds = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function envelope(call: RecordedStsCall, extra: Record<string, unknown>): Record<string, unknown> {
  const metadata = {
    RequestId: `fakests${String(call.seq).padStart(6, '0')}`,
    Action: call.query.Action ?? '',
    Version: call.query.Version ?? '',
    Service: 'sts',
    Region: call.auth.ok ? call.auth.region : '',
  };
  return { ResponseMetadata: { ...metadata, ...extra } };
}

function success(call: RecordedStsCall, result: unknown) {
  return { status: 200, body: JSON.stringify({ ...envelope(call, {}), Result: result }) };
}

function failure(call: RecordedStsCall, status: number, code: string, message: string) {
  return {
    status,
    body: JSON.stringify(envelope(call, { Error: { Code: code, Message: message } })),
  };
}
