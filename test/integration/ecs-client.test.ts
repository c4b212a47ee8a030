import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEcsClient,
  createUndiciTransport,
  type EcsClientOptions,
} from '../../src/volcengine/ecs-client.js';
import { VolcApiError } from '../../src/volcengine/errors.js';
import { canonicalQuery } from '../../src/volcengine/signer.js';
import {
  type FakeEcsApi,
  type FakeEcsCredentials,
  startFakeEcsApi,
} from '../support/fake-ecs-api.js';

const CREDS: FakeEcsCredentials = {
  accessKeyId: 'AKLTtestaccesskeyid',
  secretAccessKey: 'S3cretKeyThatMustNeverLeak==',
};
const TOKEN = 'ak-20261128-x7k2p9-b0';
const ATTACH = {
  region: 'cn-beijing',
  instanceIds: ['i-aaa', 'i-bbb', 'i-ccc'],
  keyPairName: 'deploy-key',
  clientToken: TOKEN,
};

type RetryInfo = Parameters<NonNullable<EcsClientOptions['onRetry']>>[0];

let fake: FakeEcsApi;
let transport: ReturnType<typeof createUndiciTransport>;

async function setUp(credentials: FakeEcsCredentials = CREDS): Promise<void> {
  fake = await startFakeEcsApi({ credentials });
  transport = createUndiciTransport();
}

beforeEach(async () => setUp());
afterEach(async () => {
  await transport.close();
  await fake.close();
});

/** A client on the fake whose backoff waits are recorded, not slept. */
function makeClient(overrides: Partial<EcsClientOptions> = {}) {
  const sleeps: number[] = [];
  const retries: RetryInfo[] = [];
  const client = createEcsClient({
    endpoint: fake.url,
    credentials: CREDS,
    timeoutMs: 2_000,
    maxAttempts: 4,
    deadlineMs: 60_000,
    transport,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
  return { client, sleeps, retries };
}

/** A clock that only moves when the client sleeps. */
function fakeClock(start = '2026-11-28T10:00:00.000Z') {
  let t = Date.parse(start);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<VolcApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VolcApiError);
  return error as VolcApiError;
}

function expectOneToken(): void {
  expect(fake.calls.every((c) => c.auth.ok)).toBe(true);
  expect(new Set(fake.calls.map((c) => c.clientToken))).toEqual(new Set([TOKEN]));
}

describe('AttachKeyPair on the wire', () => {
  it('sends a signed GET / whose query string is the canonical query, and reads the outcomes', async () => {
    const { client } = makeClient();
    const answer = await client.attachKeyPair({ ...ATTACH, keyPairName: 'my key*(1)!' });

    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    expect(call?.auth).toEqual({ ok: true });
    expect(call?.method).toBe('GET');
    expect(call?.path).toBe('/');
    expect(call?.rawQuery).toBe(canonicalQuery(call?.pairs ?? []));
    expect(call?.rawQuery).toContain('KeyPairName=my%20key%2A%281%29%21');
    expect(call?.query).toMatchObject({ Action: 'AttachKeyPair', Version: '2020-04-01' });
    expect(call?.instanceIds).toEqual(ATTACH.instanceIds);
    expect(call?.query['InstanceIds.3']).toBe('i-ccc');
    expect(call?.region).toBe('cn-beijing');
    expect(call?.service).toBe('ecs');
    expect(call?.signedHeaders).toBe('host;x-content-sha256;x-date');
    expect(call?.headers.host).toBe(new URL(fake.url).host);
    expect(call?.headers['x-content-sha256']).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(call?.headers['x-security-token']).toBeUndefined();

    expect(answer.requestId).toBe(call?.requestId);
    expect(answer.outcomes).toEqual(
      ATTACH.instanceIds.map((instanceId) => ({ instanceId, ok: true })),
    );
    expect(fake.applications.size).toBe(1);
  });

  it('tolerates a trailing slash in the endpoint', async () => {
    const { client } = makeClient({ endpoint: `${fake.url}/` });
    await client.attachKeyPair(ATTACH);
    expect(fake.calls[0]?.path).toBe('/');
    expect(fake.calls[0]?.auth.ok).toBe(true);
  });

  it('sends both KeyPairName and KeyPairId when both are given', async () => {
    const { client } = makeClient();
    await client.attachKeyPair({ ...ATTACH, keyPairId: 'kp-ybqcopwrdwl8j1' });
    expect(fake.calls[0]?.keyPairName).toBe('deploy-key');
    expect(fake.calls[0]?.keyPairId).toBe('kp-ybqcopwrdwl8j1');
  });

  it('returns per-instance errors mixed with successes, in request order', async () => {
    fake.failInstance('i-bbb', 'InvalidInstance.NotFound');
    fake.failInstance('i-ddd', 'InvalidKeyPairForWindows.Unsupported');
    const { client } = makeClient();
    const answer = await client.attachKeyPair({
      ...ATTACH,
      instanceIds: ['i-ddd', 'i-aaa', 'i-bbb'],
    });
    expect(answer.outcomes).toEqual([
      {
        instanceId: 'i-ddd',
        ok: false,
        code: 'InvalidKeyPairForWindows.Unsupported',
        message: expect.stringContaining('Windows'),
      },
      { instanceId: 'i-aaa', ok: true },
      {
        instanceId: 'i-bbb',
        ok: false,
        code: 'InvalidInstance.NotFound',
        message: 'The specified instance does not exist.',
      },
    ]);
    expect(fake.calls).toHaveLength(1);
  });

  it('signs and sends the STS session token', async () => {
    await transport.close();
    await fake.close();
    const sts = { ...CREDS, accessKeyId: 'AKTPtemporary', sessionToken: 'sts-session-token-value' };
    await setUp(sts);
    const { client } = makeClient({ credentials: sts });
    await client.attachKeyPair(ATTACH);
    expect(fake.calls[0]?.auth).toEqual({ ok: true });
    expect(fake.calls[0]?.headers['x-security-token']).toBe('sts-session-token-value');
    expect(fake.calls[0]?.signedHeaders).toBe('host;x-content-sha256;x-date;x-security-token');

    const { client: tokenless } = makeClient({ credentials: { ...sts, sessionToken: undefined } });
    const error = await failure(tokenless.attachKeyPair(ATTACH));
    expect(error).toMatchObject({ code: 'InvalidAccessKey', httpStatus: 401, retryable: false });
    expect(fake.calls).toHaveLength(2);
  });

  it('refuses bad input before sending anything', async () => {
    const { client } = makeClient();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i}`);
    const cases: Array<[Parameters<typeof client.attachKeyPair>[0], string]> = [
      [{ ...ATTACH, instanceIds: ids(101) }, 'LimitExceeded.MaximumInstanceIds'],
      [{ ...ATTACH, instanceIds: [] }, 'MissingParameter.InstanceIds'],
      [{ ...ATTACH, instanceIds: ['i-a', ''] }, 'InvalidParameter.InstanceIds'],
      [{ ...ATTACH, keyPairName: undefined }, 'MissingParameter.KeyPairNameAndKeyPairId'],
      [{ ...ATTACH, clientToken: 'x'.repeat(65) }, 'InvalidClientToken.Malformed'],
      [{ ...ATTACH, clientToken: 'tøken' }, 'InvalidClientToken.Malformed'],
      [{ ...ATTACH, clientToken: '' }, 'InvalidClientToken.Malformed'],
      [{ ...ATTACH, region: 'cn/beijing' }, 'InvalidParameter.Region'],
    ];
    for (const [input, code] of cases) {
      const error = await failure(client.attachKeyPair(input));
      expect(error).toMatchObject({ code, retryable: false });
    }
    await client.attachKeyPair({ ...ATTACH, instanceIds: ids(100), clientToken: 'x'.repeat(64) });
    expect(fake.calls).toHaveLength(1);
  });
});

describe('AttachKeyPair retries', () => {
  it('retries 500 InternalError twice, then succeeds: three calls, one ClientToken, growing waits', async () => {
    fake.script(
      { kind: 'error', status: 500, code: 'InternalError' },
      { kind: 'error', status: 500, code: 'InternalError' },
    );
    const { client, sleeps, retries } = makeClient();
    const answer = await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(3);
    expectOneToken();
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
    expect(retries.map((r) => [r.attempt, r.error.code, r.delayMs])).toEqual([
      [1, 'InternalError', sleeps[0]],
      [2, 'InternalError', sleeps[1]],
    ]);
    expect(answer.requestId).toBe(fake.calls[2]?.requestId);
    expect(fake.applications.size).toBe(1);
  });

  it('signs every attempt afresh (new X-Date, new Authorization) with the same parameters', async () => {
    fake.script(
      { kind: 'error', status: 500, code: 'InternalError' },
      { kind: 'error', status: 503, code: 'ServiceUnavailableTemp' },
    );
    const clock = fakeClock();
    const { client } = makeClient({ now: clock.now, sleep: clock.sleep, baseDelayMs: 2_000 });
    await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(3);
    expectOneToken();
    const xDates = fake.calls.map((c) => c.headers['x-date']);
    const auths = fake.calls.map((c) => c.headers.authorization);
    expect(new Set(xDates).size).toBe(3);
    expect(new Set(auths).size).toBe(3);
    expect(new Set(fake.calls.map((c) => c.rawQuery)).size).toBe(1);
    expect(xDates[0]).toBe('20261128T100000Z');
  });

  it('retries 429 FlowLimitExceeded, honouring Retry-After', async () => {
    fake.script(
      { kind: 'error', status: 429, code: 'FlowLimitExceeded' },
      { kind: 'error', status: 429, code: 'FlowLimitExceeded', retryAfter: 3 },
    );
    const { client, sleeps } = makeClient();
    await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(3);
    expectOneToken();
    expect(sleeps[0]).toBeLessThan(1_000);
    expect(sleeps[1]).toBe(3_000);
  });

  it('gives up at once when Retry-After would pass the deadline', async () => {
    fake.script({ kind: 'error', status: 429, code: 'FlowLimitExceeded', retryAfter: 120 });
    const clock = fakeClock();
    const { client } = makeClient({ now: clock.now, sleep: clock.sleep, deadlineMs: 10_000 });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error).toMatchObject({ code: 'FlowLimitExceeded', httpStatus: 429, retryable: true });
    expect(fake.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries 412 IdempotentProcessing, then succeeds', async () => {
    fake.script({ kind: 'error', status: 412, code: 'IdempotentProcessing' });
    const { client } = makeClient();
    await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(2);
    expectOneToken();
  });

  it('does not retry 404 InvalidKeyPair.NotFound and surfaces code, status and RequestId', async () => {
    fake.script({
      kind: 'error',
      status: 404,
      code: 'InvalidKeyPair.NotFound',
      message: 'The specified KeyPair does not exist.',
    });
    const { client, sleeps } = makeClient();
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(fake.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error).toMatchObject({
      code: 'InvalidKeyPair.NotFound',
      httpStatus: 404,
      requestId: fake.calls[0]?.requestId,
      retryable: false,
      call: 'ecs:AttachKeyPair',
    });
    expect(error.requestId).toMatch(/^fake/);
    expect(error.message).toContain('The specified KeyPair does not exist.');
  });

  it('names the call an error came from, reads included (an AccessDenied says which was refused)', async () => {
    fake.script({ action: 'DescribeInstances', kind: 'error', status: 403, code: 'AccessDenied' });
    const { client } = makeClient();
    const error = await failure(
      client.describeInstancesPage({ region: 'cn-beijing', instanceIds: ['i-aaaa1111'] }),
    );
    expect(error).toMatchObject({ code: 'AccessDenied', call: 'ecs:DescribeInstances' });
    expect(error.toJSON()).toMatchObject({ call: 'ecs:DescribeInstances' });
  });

  it('does not retry 401 SignatureDoesNotMatch', async () => {
    fake.script({ kind: 'error', status: 401, code: 'SignatureDoesNotMatch' });
    const { client } = makeClient();
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error).toMatchObject({
      code: 'SignatureDoesNotMatch',
      httpStatus: 401,
      retryable: false,
    });
    expect(fake.calls).toHaveLength(1);
  });

  it('does not retry 400 IdempotentParameterMismatch (token reused with other ids)', async () => {
    const { client } = makeClient();
    await client.attachKeyPair(ATTACH);
    const error = await failure(client.attachKeyPair({ ...ATTACH, instanceIds: ['i-zzz'] }));
    expect(error).toMatchObject({ code: 'IdempotentParameterMismatch', httpStatus: 400 });
    expect(fake.calls).toHaveLength(2);
    expect(fake.applications.size).toBe(1);
  });

  it('retries a connection reset, and the API applies the batch once', async () => {
    fake.script({ kind: 'reset', apply: true });
    const { client, retries } = makeClient();
    const answer = await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(2);
    expectOneToken();
    expect(retries[0]?.error.code).toBe('NetworkError');
    expect(retries[0]?.error.retryable).toBe(true);
    expect(fake.applications.size).toBe(1);
    expect(fake.applications.get(TOKEN)?.replays).toBe(1);
    expect(fake.timesApplied('i-aaa')).toBe(1);
    expect(answer.outcomes.every((o) => o.ok)).toBe(true);
  });

  it('abandons an attempt that hangs past timeoutMs and retries', async () => {
    fake.script({ kind: 'hang' });
    const { client, retries } = makeClient({ timeoutMs: 100 });
    const started = Date.now();
    const answer = await client.attachKeyPair(ATTACH);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(fake.calls).toHaveLength(2);
    expectOneToken();
    expect(retries.map((r) => r.error.code)).toEqual(['Timeout']);
    expect(retries[0]?.error.message).toContain('100 ms');
    expect(answer.outcomes).toHaveLength(3);
  });

  it('treats an HTML 502 from a proxy as a retryable error naming the status, up to maxAttempts', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    fake.script(
      { kind: 'raw', status: 502, body: html },
      { kind: 'raw', status: 502, body: html },
      { kind: 'raw', status: 502, body: html },
    );
    const { client, sleeps } = makeClient({ maxAttempts: 3 });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(fake.calls).toHaveLength(3);
    expectOneToken();
    expect(sleeps).toHaveLength(2);
    expect(error).toMatchObject({ code: 'HttpError', httpStatus: 502, retryable: true });
    expect(error.message).toContain('HTTP 502');
    expect(error.message).toContain('text/html');
  });

  it('recovers from one HTML 502', async () => {
    fake.script({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>' });
    const { client } = makeClient();
    await client.attachKeyPair(ATTACH);
    expect(fake.calls).toHaveLength(2);
  });

  it('treats ResponseMetadata.Error on HTTP 200 as an error', async () => {
    fake.script({ kind: 'error', status: 200, code: 'InvalidParameter', message: 'bad things' });
    const { client } = makeClient();
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error).toMatchObject({ code: 'InvalidParameter', httpStatus: 200, retryable: false });
    expect(fake.calls).toHaveLength(1);
  });

  it('treats a 200 that is not an API response as a non-retryable error, not a crash', async () => {
    fake.script({ kind: 'raw', status: 200, body: 'OK', contentType: 'text/plain' });
    const { client } = makeClient();
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error).toMatchObject({ code: 'InvalidResponse', httpStatus: 200, retryable: false });
  });

  it('stops retrying when the next wait would pass the total deadline', async () => {
    fake.script(
      ...Array.from({ length: 10 }, () => ({
        kind: 'error' as const,
        status: 500,
        code: 'InternalError',
      })),
    );
    const clock = fakeClock();
    // waits with random 0.5: 225, 450, 900 ms -> the third would end at 1575 ms > 1000 ms
    const { client } = makeClient({
      now: clock.now,
      sleep: clock.sleep,
      maxAttempts: 10,
      deadlineMs: 1_000,
    });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error.code).toBe('InternalError');
    expect(fake.calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([225, 450]);
  });

  it('a wrong secret key gets SignatureDoesNotMatch from the fake, not retried, no secret in the error', async () => {
    const wrong = {
      ...CREDS,
      secretAccessKey: 'WrongSecretNotToBeShown',
      sessionToken: 'sts-tok-hidden',
    };
    const { client } = makeClient({ credentials: wrong });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.auth).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(error).toMatchObject({
      code: 'SignatureDoesNotMatch',
      httpStatus: 401,
      retryable: false,
    });
    const signature = fake.calls[0]?.headers.authorization?.split('Signature=')[1] ?? '';
    expect(signature).toHaveLength(64);
    for (const text of [error.message, String(error), JSON.stringify(error), error.stack ?? '']) {
      expect(text).not.toContain('WrongSecretNotToBeShown');
      expect(text).not.toContain('sts-tok-hidden');
      expect(text).not.toContain(signature);
      expect(text).not.toContain('HMAC-SHA256');
    }
  });

  it('redacts secrets the server echoes back in its message', async () => {
    const { client } = makeClient();
    fake.script({
      kind: 'error',
      status: 400,
      code: 'InvalidParameter',
      message: `bad secret ${CREDS.secretAccessKey} here`,
    });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error.message).not.toContain(CREDS.secretAccessKey);
    expect(error.message).toContain('[redacted]');
  });
});

describe('DescribeKeyPairs', () => {
  it('lists key pairs and returns the API Date header for a clock check', async () => {
    const { client } = makeClient();
    const answer = await client.describeKeyPairs({ region: 'cn-shanghai', maxResults: 5 });
    expect(answer.keyPairs).toEqual([{ keyPairId: 'kp-fake00000001', keyPairName: 'fake-key' }]);
    expect(answer.requestId).toBe(fake.calls[0]?.requestId);
    expect(Math.abs(Date.parse(answer.serverDate ?? '') - Date.now())).toBeLessThan(5_000);
    expect(fake.calls[0]).toMatchObject({ action: 'DescribeKeyPairs', region: 'cn-shanghai' });
    expect(fake.calls[0]?.query.MaxResults).toBe('5');
    expect(fake.calls[0]?.auth.ok).toBe(true);
  });
});

describe('the fake checks what actually arrived', () => {
  it('rejects a request altered after signing (query, Host or X-Date)', async () => {
    const alterations: Array<(req: Parameters<typeof transport>[0]) => void> = [
      (req) => {
        req.url = req.url.replace('i-bbb', 'i-bbx');
      },
      (req) => {
        req.headers.Host = 'open.volcengineapi.com';
      },
      (req) => {
        req.headers['X-Date'] = '20261128T100001Z';
      },
    ];
    for (const alter of alterations) {
      const { client } = makeClient({
        transport: (req) => {
          const copy = { ...req, headers: { ...req.headers } };
          alter(copy);
          return transport(copy);
        },
      });
      const error = await failure(client.attachKeyPair(ATTACH));
      expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false });
    }
    expect(fake.calls.map((c) => c.auth.ok)).toEqual([false, false, false]);
    expect(fake.applications.size).toBe(0);
  });

  it('rejects an unknown access key id', async () => {
    const { client } = makeClient({ credentials: { ...CREDS, accessKeyId: 'AKLTsomeoneelse' } });
    const error = await failure(client.attachKeyPair(ATTACH));
    expect(error).toMatchObject({ code: 'InvalidAccessKey', httpStatus: 401, retryable: false });
  });

  it('holds a call the API applied but never answered; the retry replays it without a new application', async () => {
    const held = fake.hold({ apply: true });
    const { client, retries } = makeClient({ timeoutMs: 150 });
    const pending = client.attachKeyPair(ATTACH);
    const first = await held.arrived;
    expect(first.applied).toBe(true);
    expect(fake.applications.size).toBe(1);
    const answer = await pending;
    expect(retries.map((r) => r.error.code)).toEqual(['Timeout']);
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[1]?.applied).toBe(false);
    expect(fake.applications.get(TOKEN)?.replays).toBe(1);
    expect(fake.timesApplied('i-aaa')).toBe(1);
    expect(answer.outcomes.every((o) => o.ok)).toBe(true);
    held.release(); // the client already left: a no-op
  });

  it('answers a held call when released, and waitForCalls sees it arrive', async () => {
    const held = fake.hold();
    const { client } = makeClient();
    const pending = client.attachKeyPair(ATTACH);
    await fake.waitForCalls(1);
    expect(fake.applications.size).toBe(0);
    held.release();
    await pending;
    expect(fake.calls).toHaveLength(1);
    expect(fake.applications.size).toBe(1);
    await expect(fake.waitForCalls(2, 50)).rejects.toThrow(/expected 2 calls, got 1/);
  });

  it('scripts steps per action, leaving other actions on the default path', async () => {
    fake.script({ action: 'AttachKeyPair', kind: 'error', status: 500, code: 'InternalError' });
    const { client } = makeClient({ maxAttempts: 1 });
    await client.describeKeyPairs({ region: 'cn-beijing' });
    expect(fake.pendingSteps()).toBe(1);
    await failure(client.attachKeyPair(ATTACH));
    expect(fake.pendingSteps()).toBe(0);
  });

  it('closes promptly with a call still held open', async () => {
    fake.script({ kind: 'hang' });
    const { client } = makeClient({ maxAttempts: 1, timeoutMs: 5_000 });
    const pending = failure(client.attachKeyPair(ATTACH));
    await fake.waitForCalls(1);
    await fake.close();
    expect((await pending).code).toBe('NetworkError');
    fake = await startFakeEcsApi({ credentials: CREDS }); // for afterEach
  });
});
