import { afterEach, describe, expect, it } from 'vitest';
import { createCredentialsProvider } from '../../src/app/credentials-from-config.js';
import { loadConfig } from '../../src/config/config.js';
import {
  type AssumeRoleOptions,
  type AssumeRoleProvider,
  createAssumeRoleProvider,
  type RefreshInfo,
  refreshWindowMs,
} from '../../src/volcengine/assume-role.js';
import {
  type CallInfo,
  createUndiciTransport,
  type EcsClient,
  type RetryInfo,
} from '../../src/volcengine/ecs-client.js';
import { VolcApiError } from '../../src/volcengine/errors.js';
import { clientOn, createEcsStandIn, type EcsStandIn } from '../support/ecs-stand-in.js';
import { type FakeStsApi, startFakeStsApi } from '../support/fake-sts-api.js';

// AssumeRole over real HTTP (fake STS) and ECS calls signed with what it issued (stand-in that
// accepts only the fake's keys, and only before they expire). One injected clock drives both
// sides, so lifetimes are short in clock time and the tests never sleep.

const BASE = { accessKeyId: 'AKLTbaseassumer', secretAccessKey: 'BaseSecretForAssumeRole==' };
const ROLE = 'trn:iam::2100000001:role/attach-key-bot';
const REGION = 'cn-beijing';
const START = Date.parse('2026-11-28T10:00:00Z');

let t = START;
const now = () => new Date(t);
const advanceTo = (seconds: number) => {
  t = START + seconds * 1000;
};

interface Setup {
  sts: FakeStsApi;
  ecs: EcsStandIn;
  provider: AssumeRoleProvider;
  client: EcsClient;
  refreshes: RefreshInfo[];
  retries: RetryInfo[];
  calls: CallInfo[];
  /** Resolves with the next onRefresh report. */
  nextRefresh(): Promise<RefreshInfo>;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
  t = START;
});

async function setup(
  lifetimeSeconds = 1000,
  overrides: Partial<AssumeRoleOptions> = {},
): Promise<Setup> {
  const sts = await startFakeStsApi({ baseCredentials: BASE, now, lifetimeSeconds });
  const transport = createUndiciTransport();
  const refreshes: RefreshInfo[] = [];
  const retries: RetryInfo[] = [];
  const calls: CallInfo[] = [];
  const waiting: Array<(info: RefreshInfo) => void> = [];
  const provider = createAssumeRoleProvider({
    baseCredentials: BASE,
    roleTrn: ROLE,
    sessionName: 'attach-key-bot',
    durationSeconds: 3600,
    stsEndpoint: sts.url,
    transport,
    timeoutMs: 2_000,
    maxAttempts: 2,
    deadlineMs: 60_000,
    now,
    sleep: async () => {},
    random: () => 0.5,
    onRefresh: (info) => {
      refreshes.push(info);
      for (const resolve of waiting.splice(0)) resolve(info);
    },
    onRetry: (info) => retries.push(info),
    onCall: (info) => calls.push(info),
    ...overrides,
  });
  const ecs = createEcsStandIn({ keys: (ak) => sts.resolve(ak) });
  const client = clientOn(ecs, { credentials: provider, now, onCall: (info) => calls.push(info) });
  open.push(
    () => sts.close(),
    () => transport.close(),
    () => client.close(),
  );
  const nextRefresh = () => new Promise<RefreshInfo>((resolve) => waiting.push(resolve));
  return { sts, ecs, provider, client, refreshes, retries, calls, nextRefresh };
}

const read = (client: EcsClient) => client.describeInstancesPage({ region: REGION });

async function rejection(promise: Promise<unknown>): Promise<VolcApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VolcApiError);
  return error as VolcApiError;
}

describe('AssumeRole', () => {
  it('is signed for service sts with the base key; ECS calls carry the temporary key and token', async () => {
    const { sts, ecs, client } = await setup();
    await read(client);
    expect(sts.calls).toHaveLength(1);
    const [assume] = sts.calls;
    expect(assume?.auth).toMatchObject({
      ok: true,
      service: 'sts',
      region: 'cn-beijing',
      accessKeyId: BASE.accessKeyId,
    });
    expect(assume?.method).toBe('GET');
    expect(assume?.path).toBe('/');
    expect(assume?.query).toEqual({
      Action: 'AssumeRole',
      Version: '2018-01-01',
      RoleTrn: ROLE,
      RoleSessionName: 'attach-key-bot',
      DurationSeconds: '3600',
    });
    const [issued] = sts.issued;
    const [call] = ecs.calls;
    expect(call?.auth).toMatchObject({
      ok: true,
      service: 'ecs',
      accessKeyId: issued?.accessKeyId,
      signedHeaders: 'host;x-content-sha256;x-date;x-security-token',
    });
    expect(call?.headers['x-security-token']).toBe(issued?.sessionToken);
  });

  it('refreshes once less than min(5 min, 20 % of the lifetime) remains, without holding the call', async () => {
    expect(refreshWindowMs(3_600_000)).toBe(300_000);
    expect(refreshWindowMs(900_000)).toBe(180_000);
    const { sts, ecs, provider, client } = await setup(1000); // window 200 s
    await read(client);
    advanceTo(799);
    await read(client);
    expect(sts.calls).toHaveLength(1);
    advanceTo(801);
    await read(client);
    // Served with the old key; the refresh runs beside it and a caller can join it.
    expect(ecs.calls[2]?.auth).toMatchObject({ accessKeyId: 'AKTPfake0001' });
    expect(provider.state().refreshing).toBe(true);
    expect(await provider.refresh()).toMatchObject({ ok: true });
    expect(sts.calls).toHaveLength(2);
    await read(client);
    expect(ecs.calls[3]?.auth).toMatchObject({ ok: true, accessKeyId: 'AKTPfake0002' });
    expect(provider.state().expiresAt?.toISOString()).toBe(
      new Date(START + 1801_000).toISOString(),
    );
  });

  it('lets concurrent callers share one refresh', async () => {
    const { sts, ecs, client } = await setup();
    const held = sts.hold();
    const reads = Promise.all(Array.from({ length: 5 }, () => read(client)));
    await held.arrived;
    held.release();
    await reads;
    expect(sts.calls).toHaveLength(1);
    expect(ecs.calls.map((c) => c.auth.ok && c.auth.accessKeyId)).toEqual(
      Array(5).fill('AKTPfake0001'),
    );
  });

  it('falls back to the old keys while refreshes fail, then fails clearly, then recovers', async () => {
    const { sts, ecs, client, refreshes, calls, nextRefresh } = await setup(1000);
    await read(client);
    sts.failEvery({
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message: 'role trust says no',
    });

    advanceTo(850);
    let refreshed = nextRefresh();
    await read(client);
    expect((await refreshed).ok).toBe(false);
    advanceTo(960);
    refreshed = nextRefresh();
    await read(client); // still the old key, 10 s before it is too close to expiry
    await refreshed;
    expect(ecs.calls.map((c) => c.auth.ok && c.auth.accessKeyId)).toEqual(
      Array(3).fill('AKTPfake0001'),
    );
    expect(refreshes.map((r) => [r.ok, r.error?.code, r.retryInMs])).toEqual([
      [true, undefined, undefined],
      [false, 'AccessDenied', 750],
      [false, 'AccessDenied', 1500],
    ]);

    advanceTo(975);
    const error = await rejection(read(client));
    expect(error).toMatchObject({ code: 'CredentialsUnavailable', retryable: false });
    expect(error.message).toMatch(
      /^The temporary credentials of role trn:iam::2100000001:role\/attach-key-bot expire at 2026-11-28T10:16:40\.000Z, too soon to sign with: Volcengine AssumeRole failed with AccessDenied \(HTTP 403\): role trust says no; AssumeRole is tried again in 3 s$/,
    );
    expect(ecs.calls).toHaveLength(3);
    expect(calls.at(-1)).toMatchObject({
      action: 'DescribeInstances',
      outcome: 'error',
      code: 'CredentialsUnavailable',
      attempts: 0,
    });
    // Within the backoff: no new AssumeRole, the same clear error.
    const stsCalls = sts.calls.length;
    await rejection(read(client));
    expect(sts.calls).toHaveLength(stsCalls);

    advanceTo(1010);
    expect((await rejection(read(client))).message).toContain(
      'expired at 2026-11-28T10:16:40.000Z',
    );
    sts.failEvery(undefined);
    advanceTo(1020);
    await read(client);
    expect(ecs.calls.at(-1)?.auth).toMatchObject({ ok: true, accessKeyId: 'AKTPfake0002' });
    // Never a call signed with keys at or past their expiry (the stand-in refuses those).
    expect(ecs.calls.every((c) => c.auth.ok)).toBe(true);
    for (const c of ecs.calls) {
      const issued = sts.issued.find((i) => c.auth.ok && i.accessKeyId === c.auth.accessKeyId);
      expect(c.auth.ok && c.auth.signedAt.getTime()).toBeLessThan(issued?.expiresAt ?? 0);
    }
  });

  it('does not break a call in flight while a refresh replaces its keys', async () => {
    const { ecs, provider, client } = await setup(1000);
    await read(client);
    advanceTo(801);
    const held = ecs.hold('DescribeInstances');
    const inFlight = read(client);
    await held.arrived;
    await provider.refresh();
    await read(client);
    held.release();
    await inFlight;
    expect(ecs.calls.map((c) => c.auth.ok && c.auth.accessKeyId)).toEqual([
      'AKTPfake0001',
      'AKTPfake0001',
      'AKTPfake0002',
    ]);
  });

  it('signs the retry of a call with the keys a refresh brought meanwhile', async () => {
    const { ecs, provider, client } = await setup(1000);
    await read(client);
    advanceTo(801);
    let failed = false;
    ecs.on('DescribeInstances', () => {
      if (failed) return { result: { Instances: [] } };
      failed = true;
      return { status: 500, error: { code: 'InternalError' } };
    });
    // The backoff wait is where the refresh the first attempt started completes.
    const retrying = clientOn(ecs, {
      credentials: provider,
      now,
      sleep: async () => {
        await provider.refresh();
      },
    });
    await retrying.describeInstancesPage({ region: REGION });
    expect(ecs.calls.map((c) => c.auth.ok && c.auth.accessKeyId)).toEqual([
      'AKTPfake0001',
      'AKTPfake0001',
      'AKTPfake0002',
    ]);
  });

  it('retries AssumeRole through the same caller and reports it as a call of its own', async () => {
    const { sts, client, retries, calls } = await setup();
    sts.script({ kind: 'error', status: 500, code: 'InternalError' });
    await read(client);
    expect(sts.calls).toHaveLength(2);
    expect(retries.map((r) => [r.service, r.action, r.attempt, r.error.code])).toEqual([
      ['sts', 'AssumeRole', 1, 'InternalError'],
    ]);
    expect(calls.map((c) => [c.service, c.action, c.outcome, c.attempts])).toEqual([
      ['sts', 'AssumeRole', 'ok', 2],
      ['ecs', 'DescribeInstances', 'ok', 1],
    ]);
  });

  it('bounds an STS that never answers and names AssumeRole in the error', async () => {
    const { sts, client } = await setup(1000, { timeoutMs: 150, maxAttempts: 1 });
    sts.script({ kind: 'hang' });
    const error = await rejection(read(client));
    expect(error.code).toBe('CredentialsUnavailable');
    expect(error.message).toMatch(
      /^No temporary credentials for role .*: Volcengine AssumeRole did not answer within 150 ms/,
    );
  });

  it('refuses an answer without usable credentials, naming the field but never a value', async () => {
    const { sts, provider } = await setup();
    const body = JSON.stringify({
      ResponseMetadata: { RequestId: 'r-1' },
      Result: {
        Credentials: {
          AccessKeyId: 'AKTPx',
          SecretAccessKey: 'LeakyTempSecret',
          ExpiredTime: '2026-11-28T11:00:00Z',
        },
      },
    });
    sts.script({ kind: 'raw', status: 200, body });
    const result = await provider.refresh();
    expect(result.ok).toBe(false);
    const error = result.ok ? undefined : result.error;
    expect(error).toMatchObject({ code: 'InvalidResponse', requestId: 'r-1', retryable: false });
    expect(error?.message).toBe('AssumeRole answered without SessionToken in Result.Credentials');
  });

  it('keeps temporary and base secrets out of every error and hook, even when servers echo them', async () => {
    const { sts, ecs, client, refreshes, retries, calls } = await setup();
    sts.script({
      kind: 'error',
      status: 400,
      code: 'InvalidParameter',
      message: `saw ${BASE.secretAccessKey}`,
    });
    const first = await rejection(read(client));
    advanceTo(2);
    await read(client);
    const issued = sts.issued[0];
    ecs.on('DescribeKeyPairs', (call) => ({
      status: 400,
      error: {
        code: 'InvalidParameter',
        message: `token ${call.headers['x-security-token']} was odd`,
      },
    }));
    const echoed = await rejection(client.describeKeyPairsPage({ region: REGION }));
    expect(echoed.message).toContain('token [redacted] was odd');
    const text = JSON.stringify([
      first.message,
      echoed.message,
      String(echoed),
      refreshes,
      retries,
      calls,
      first,
      echoed,
    ]);
    for (const secret of [BASE.secretAccessKey, issued?.secretAccessKey, issued?.sessionToken]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('AssumeRole timer', () => {
  it('refreshes ahead of expiry without calls, backs off after a failure, and stops on close', async () => {
    const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
    const { sts, provider, nextRefresh } = await setup(1000, {
      setTimer: (fn, ms) => {
        const timer = { fn, ms, cancelled: false };
        timers.push(timer);
        return () => {
          timer.cancelled = true;
        };
      },
    });
    const fire = async () => {
      const timer = timers.at(-1);
      const done = nextRefresh();
      timer?.fn();
      return done;
    };
    provider.start();
    expect(timers.map((x) => x.ms)).toEqual([0]);
    expect((await fire()).ok).toBe(true);
    expect(timers.at(-1)?.ms).toBe(800_000);
    advanceTo(800);
    sts.script({ kind: 'error', status: 403, code: 'AccessDenied' });
    expect((await fire()).ok).toBe(false);
    expect(timers.at(-1)?.ms).toBe(750);
    advanceTo(801);
    expect((await fire()).ok).toBe(true);
    expect(sts.calls).toHaveLength(3);
    await provider.close();
    expect(timers.at(-1)?.cancelled).toBe(true);
    const scheduled = timers.length;
    expect(await provider.refresh()).toMatchObject({ ok: false });
    expect(timers).toHaveLength(scheduled);
    expect(sts.calls).toHaveLength(3);
    const error = await rejection(provider.get());
    expect(error.message).toContain('the credentials provider is closed');
  });
});

describe('createCredentialsProvider', () => {
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-1-2-wiring',
    SLACK_SIGNING_SECRET: 'wiring-signing-secret',
    VOLC_ACCESS_KEY_ID: BASE.accessKeyId,
    VOLC_SECRET_ACCESS_KEY: BASE.secretAccessKey,
    APPROVER_USER_IDS: 'U012ABCDEF',
  };

  it('gives the fixed keys without a role', async () => {
    const volc = loadConfig({ ...env, VOLC_SESSION_TOKEN: 'fixed-token' }).volc;
    expect(await createCredentialsProvider(volc).get()).toEqual({
      ...BASE,
      sessionToken: 'fixed-token',
    });
  });

  it('gives a started AssumeRole provider with one, on its own transport, closed by the client', async () => {
    const sts = await startFakeStsApi({ baseCredentials: BASE });
    open.push(() => sts.close());
    const volc = loadConfig({
      ...env,
      VOLC_ROLE_TRN: ROLE,
      VOLC_ROLE_SESSION_NAME: 'wiring-test',
      VOLC_ROLE_DURATION_SECONDS: '900',
      VOLC_STS_ENDPOINT: sts.url,
    }).volc;
    const timers: number[] = [];
    const provider = createCredentialsProvider(volc, {
      autoRefresh: true,
      setTimer: (_fn, ms) => {
        timers.push(ms);
        return () => {};
      },
    });
    expect(timers).toEqual([0]);
    const keys = await provider.get();
    expect(keys.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(sts.calls[0]?.query).toMatchObject({
      RoleSessionName: 'wiring-test',
      DurationSeconds: '900',
    });
    const client = clientOn(createEcsStandIn({ keys: (ak) => sts.resolve(ak) }), {
      credentials: provider,
    });
    await client.close();
    await expect(provider.get()).rejects.toMatchObject({ code: 'CredentialsUnavailable' });
  });
});
