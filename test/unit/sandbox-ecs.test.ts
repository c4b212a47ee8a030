import { describe, expect, it } from 'vitest';
import {
  createSandboxTransport,
  SANDBOX_FACTS,
  SANDBOX_FLEET,
  SANDBOX_INSTANCES,
  SANDBOX_KEY_PAIRS,
} from '../../src/sandbox/transport.js';
import type { Transport, TransportRequest } from '../../src/volcengine/ecs-client.js';
import { createEcsClient } from '../../src/volcengine/ecs-client.js';
import { VolcApiError } from '../../src/volcengine/errors.js';
import { signedEcsRequest } from '../support/signed-ecs-request.js';

const NOW = new Date('2025-03-04T05:06:07Z');
const CREDENTIALS = { accessKeyId: 'AKLTsandboxkey', secretAccessKey: 'sandbox-secret-value' };

/** The sandbox behind the real client, with every wait instant and every wire request kept. */
function setup(options: { maxAttempts?: number } = {}) {
  const sandboxSleeps: number[] = [];
  const sandbox = createSandboxTransport({
    latencyMs: 0,
    now: () => NOW,
    sleep: async (ms) => {
      sandboxSleeps.push(ms);
    },
  });
  const wire: URLSearchParams[] = [];
  const transport: Transport = (req) => {
    wire.push(new URL(req.url).searchParams);
    return sandbox(req);
  };
  const retries: Array<{ code: string; httpStatus?: number }> = [];
  const client = createEcsClient({
    endpoint: 'https://open.volcengineapi.com',
    credentials: CREDENTIALS,
    timeoutMs: 5_000,
    maxAttempts: options.maxAttempts ?? 3,
    deadlineMs: 60_000,
    transport,
    now: () => NOW,
    sleep: async () => {},
    random: () => 0,
    onRetry: ({ error }) => {
      retries.push({
        code: error.code,
        ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
      });
    },
  });
  return { sandbox, client, wire, retries, sandboxSleeps };
}

/** A request as the client would send it, for the gateway checks the client never triggers. */
function signedRequest(
  params: Array<[string, string]>,
  options: { region?: string; authorization?: boolean; signal?: AbortSignal } = {},
): TransportRequest {
  return signedEcsRequest({
    origin: 'https://open.volcengineapi.com',
    query: [['Version', '2020-04-01'], ...params],
    credentials: CREDENTIALS,
    date: NOW,
    ...(options.region ? { region: options.region } : {}),
    ...(options.authorization === false ? { sign: false } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

function attachParams(ids: string[], extra: Array<[string, string]> = []): Array<[string, string]> {
  return [
    ['Action', 'AttachKeyPair'],
    ...ids.map((id, i): [string, string] => [`InstanceIds.${i + 1}`, id]),
    ['KeyPairName', 'sandbox-ops'],
    ...extra,
  ];
}

async function expectApiError(promise: Promise<unknown>): Promise<VolcApiError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(VolcApiError);
  return caught as VolcApiError;
}

const base = { region: 'cn-beijing', keyPairName: 'sandbox-ops' };

describe('sandbox ECS through the real client: AttachKeyPair', () => {
  it('binds the key pair to two ordinary instances', async () => {
    const { client, sandbox, wire } = setup();
    const answer = await client.attachKeyPair({
      ...base,
      instanceIds: ['i-abc123', 'i-stopped01'],
      clientToken: 'req1-b0',
    });
    expect(answer.outcomes).toEqual([
      { instanceId: 'i-abc123', ok: true },
      { instanceId: 'i-stopped01', ok: true },
    ]);
    expect(answer.requestId).toBe('20250304050607-sandbox-000001');
    expect(wire).toHaveLength(1);
    expect(sandbox.inventory.applications).toBe(1);
    expect(sandbox.inventory.bindings.get('i-stopped01')).toEqual({
      keyPairId: 'kp-sandbox-ops',
      keyPairName: 'sandbox-ops',
      region: 'cn-beijing',
    });
  });

  it('gives each trigger word its per-instance error, the rest of the batch ok', async () => {
    const { client, sandbox } = setup();
    const ids = [
      'i-ok1',
      'i-missing1',
      'i-windows1',
      'i-NoAgent1',
      'i-busy1',
      'i-starting1',
      'i-throttle1',
      'i-ok2',
    ];
    const answer = await client.attachKeyPair({
      ...base,
      instanceIds: ids,
      clientToken: 't-words',
    });
    const failure = (instanceId: string, code: string, message: string) => ({
      instanceId,
      ok: false,
      code,
      message,
    });
    expect(answer.outcomes).toEqual([
      { instanceId: 'i-ok1', ok: true },
      failure('i-missing1', 'InvalidInstance.NotFound', 'The specified instance does not exist.'),
      failure(
        'i-windows1',
        'InvalidKeyPairForWindows.Unsupported',
        'The OSType of this specified instance is Windows, which does not support key pairs.',
      ),
      failure(
        'i-NoAgent1',
        'InvalidResetAuthenticationAgent.NotFound',
        'The specified reset-authentication agent does not install on the instance.',
      ),
      failure(
        'i-busy1',
        'InvalidInstanceStatus',
        'The status of the specified instance does not support this request.',
      ),
      failure(
        'i-starting1',
        'InvalidInstanceStatus',
        'The status of the specified instance does not support this request.',
      ),
      failure(
        'i-throttle1',
        'FlowLimitExceeded',
        "You've reach the limit on request rate of resources.",
      ),
      { instanceId: 'i-ok2', ok: true },
    ]);
    expect([...sandbox.inventory.bindings.keys()]).toEqual(['i-ok1', 'i-ok2']);
  });

  it('answers for each documented example instance as documented', async () => {
    const { client } = setup();
    const answer = await client.attachKeyPair({
      ...base,
      instanceIds: SANDBOX_INSTANCES.map((i) => i.instanceId),
      clientToken: 't-examples',
    });
    expect(answer.outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(
      SANDBOX_INSTANCES.map((i) => i.outcome),
    );
  });

  it('lets KeyPairId win over KeyPairName', async () => {
    const { client, sandbox } = setup();
    // The name alone would be refused; the id takes effect.
    const answer = await client.attachKeyPair({
      region: 'cn-beijing',
      instanceIds: ['i-abc123'],
      keyPairName: 'team-missing',
      keyPairId: 'kp-sandbox-deploy',
      clientToken: 't-id-wins',
    });
    expect(answer.outcomes).toEqual([{ instanceId: 'i-abc123', ok: true }]);
    expect(sandbox.inventory.bindings.get('i-abc123')).toMatchObject({
      keyPairId: 'kp-sandbox-deploy',
      keyPairName: 'sandbox-deploy',
    });
    // And the other way round: a good name does not rescue a bad id.
    const error = await expectApiError(
      client.attachKeyPair({
        region: 'cn-beijing',
        instanceIds: ['i-abc123'],
        keyPairName: 'sandbox-ops',
        keyPairId: 'kp-missing',
        clientToken: 't-id-wins-2',
      }),
    );
    expect(error.code).toBe('InvalidKeyPair.NotFound');
  });

  it('accepts any other key pair name and binds it', async () => {
    const { client, sandbox } = setup();
    await client.attachKeyPair({
      region: 'cn-beijing',
      instanceIds: ['i-abc123'],
      keyPairName: 'alice-laptop',
      clientToken: 't-any-name',
    });
    const binding = sandbox.inventory.bindings.get('i-abc123');
    expect(binding?.keyPairName).toBe('alice-laptop');
    expect(binding?.keyPairId).toMatch(/^kp-sbx[0-9a-f]{12}$/);
  });

  it('refuses an unknown key pair with 404 InvalidKeyPair.NotFound, without retrying', async () => {
    const { client, sandbox, wire } = setup();
    for (const keyPair of [{ keyPairName: 'ops-missing' }, { keyPairId: 'ops-not-an-id' }]) {
      const error = await expectApiError(
        client.attachKeyPair({
          region: 'cn-beijing',
          instanceIds: ['i-abc123'],
          ...keyPair,
          clientToken: 't-unknown-kp',
        }),
      );
      expect(error).toMatchObject({
        code: 'InvalidKeyPair.NotFound',
        httpStatus: 404,
        retryable: false,
      });
      expect(error.requestId).toMatch(/-sandbox-/);
      expect(error.message).toContain('The specified KeyPair does not exist.');
    }
    expect(wire).toHaveLength(2);
    expect(sandbox.inventory.applications).toBe(0);
  });

  it('replays the stored answer for a repeated ClientToken and applies once', async () => {
    const { client, sandbox, wire } = setup();
    const call = { ...base, instanceIds: ['i-abc123', 'i-throttle9'], clientToken: 'req7-b0' };
    const first = await client.attachKeyPair(call);
    const second = await client.attachKeyPair({ ...call, instanceIds: [...call.instanceIds] });
    expect(wire).toHaveLength(2);
    expect(second).toEqual(first);
    expect(sandbox.inventory.applications).toBe(1);
    // A new token is a new request.
    const third = await client.attachKeyPair({ ...call, clientToken: 'req7-b1' });
    expect(third.requestId).not.toBe(first.requestId);
    expect(sandbox.inventory.applications).toBe(2);
  });

  it('refuses the same ClientToken with other parameters: IdempotentParameterMismatch', async () => {
    const { client, sandbox, wire } = setup();
    await client.attachKeyPair({ ...base, instanceIds: ['i-abc123'], clientToken: 'req8-b0' });
    const error = await expectApiError(
      client.attachKeyPair({ ...base, instanceIds: ['i-other1'], clientToken: 'req8-b0' }),
    );
    expect(error).toMatchObject({
      code: 'IdempotentParameterMismatch',
      httpStatus: 400,
      retryable: false,
    });
    expect(wire).toHaveLength(2);
    expect(sandbox.inventory.applications).toBe(1);
    expect(sandbox.inventory.bindings.has('i-other1')).toBe(false);
  });

  it('fails the first attempt of a flaky key pair; the retry with the same token succeeds', async () => {
    const { client, sandbox, wire, retries } = setup();
    const answer = await client.attachKeyPair({
      region: 'cn-beijing',
      instanceIds: ['i-abc123'],
      keyPairName: 'deploy-Flaky',
      clientToken: 'req9-b0',
    });
    expect(answer.outcomes).toEqual([{ instanceId: 'i-abc123', ok: true }]);
    expect(retries).toEqual([{ code: 'InternalError', httpStatus: 500 }]);
    expect(wire.map((q) => q.get('ClientToken'))).toEqual(['req9-b0', 'req9-b0']);
    expect(sandbox.inventory.applications).toBe(1);
  });

  it('surfaces the flaky 500 when the client may not retry', async () => {
    const { client } = setup({ maxAttempts: 1 });
    const error = await expectApiError(
      client.attachKeyPair({
        region: 'cn-beijing',
        instanceIds: ['i-abc123'],
        keyPairId: 'kp-sandbox-flaky',
        clientToken: 'req10-b0',
      }),
    );
    expect(error).toMatchObject({ code: 'InternalError', httpStatus: 500, retryable: true });
  });

  it('adds 2 s of latency for a slow key pair', async () => {
    const { client, sandboxSleeps } = setup();
    await client.attachKeyPair({ ...base, instanceIds: ['i-abc123'], clientToken: 't-fast' });
    expect(sandboxSleeps).toEqual([]);
    await client.attachKeyPair({
      region: 'cn-beijing',
      instanceIds: ['i-abc123'],
      keyPairName: 'sandbox-slow',
      clientToken: 't-slow',
    });
    expect(sandboxSleeps).toEqual([2_000]);
  });

  it('waits the configured latency on every call', async () => {
    const sleeps: number[] = [];
    const sandbox = createSandboxTransport({
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await sandbox(signedRequest([['Action', 'DescribeKeyPairs']]));
    expect(sleeps).toEqual([50]);
  });

  it('takes the region from the credential scope', async () => {
    const { client, sandbox } = setup();
    // A new id exists in the region it is first named in; i-abc123 lives in cn-beijing only.
    const answer = await client.attachKeyPair({
      ...base,
      region: 'ap-southeast-1',
      instanceIds: ['i-apse01', 'i-abc123'],
      clientToken: 't-region',
    });
    expect(answer.outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual([
      'ok',
      'InvalidInstance.NotFound',
    ]);
    expect(sandbox.inventory.bindings.get('i-apse01')?.region).toBe('ap-southeast-1');
    expect(sandbox.inventory.instance('i-apse01')?.region).toBe('ap-southeast-1');
    const res = await sandbox(
      signedRequest(attachParams(['i-abc123'], [['ClientToken', 't-region']]), {
        region: 'cn-shanghai',
      }),
    );
    expect(JSON.parse(res.body).ResponseMetadata).toEqual({
      RequestId: '20250304050607-sandbox-000002',
      Action: 'AttachKeyPair',
      Version: '2020-04-01',
      Service: 'ecs',
      Region: 'cn-shanghai',
    });
    // Tokens are per region: the same token in another region was a new request.
    expect(sandbox.inventory.applications).toBe(2);
  });

  it('rejects more than 100 instance ids: the client before sending, the sandbox itself', async () => {
    const { client, sandbox, wire } = setup();
    const ids = Array.from({ length: 101 }, (_, i) => `i-many${i}`);
    const error = await expectApiError(
      client.attachKeyPair({ ...base, instanceIds: ids, clientToken: 't-many' }),
    );
    expect(error.code).toBe('LimitExceeded.MaximumInstanceIds');
    expect(wire).toHaveLength(0);

    const res = await sandbox(signedRequest(attachParams(ids)));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).ResponseMetadata.Error).toEqual({
      Code: 'LimitExceeded.MaximumInstanceIds',
      Message: "You've reached the limit on the number of InstanceIds that you can set.",
    });
    const hundred = await sandbox(signedRequest(attachParams(ids.slice(0, 100))));
    expect(hundred.status).toBe(200);
    expect(JSON.parse(hundred.body).Result.OperationDetails).toHaveLength(100);
  });
});

describe('sandbox ECS: request checks the client never triggers', () => {
  async function errorOf(req: TransportRequest) {
    const sandbox = createSandboxTransport({ latencyMs: 0, now: () => NOW });
    const res = await sandbox(req);
    return { status: res.status, ...JSON.parse(res.body).ResponseMetadata.Error, body: res.body };
  }

  it('refuses a request without an Authorization header with 401', async () => {
    const got = await errorOf(signedRequest(attachParams(['i-abc123']), { authorization: false }));
    expect(got).toMatchObject({ status: 401, Code: 'MissingAuthenticationToken' });
  });

  it('refuses missing ids, missing key pair and malformed tokens with the page codes', async () => {
    const action: [string, string] = ['Action', 'AttachKeyPair'];
    const cases: Array<[Array<[string, string]>, string]> = [
      [[action, ['KeyPairName', 'sandbox-ops']], 'MissingParameter.InstanceIds'],
      [[action, ['InstanceIds.1', 'i-abc123']], 'MissingParameter.KeyPairNameAndKeyPairId'],
      [
        attachParams(['i-abc123'], [['ClientToken', 'x'.repeat(65)]]),
        'InvalidClientToken.Malformed',
      ],
      [attachParams(['i-abc123'], [['ClientToken', 'jeton-é']]), 'InvalidClientToken.Malformed'],
    ];
    for (const [params, code] of cases) {
      expect(await errorOf(signedRequest(params))).toMatchObject({ status: 400, Code: code });
    }
    const ok = await createSandboxTransport({ latencyMs: 0 })(
      signedRequest(attachParams(['i-abc123'], [['ClientToken', 'x'.repeat(64)]])),
    );
    expect(ok.status).toBe(200);
  });

  it('answers 404 InvalidActionOrVersion for an unknown action or version', async () => {
    const unknown = await errorOf(signedRequest([['Action', 'DeleteInstance']]));
    expect(unknown).toMatchObject({ status: 404, Code: 'InvalidActionOrVersion' });
    const req = signedRequest([['Action', 'DescribeKeyPairs']]);
    const oldVersion = await errorOf({ ...req, url: req.url.replace('2020-04-01', '2019-01-01') });
    expect(oldVersion).toMatchObject({ status: 404, Code: 'InvalidActionOrVersion' });
  });

  it('never echoes the Authorization header or the access key', async () => {
    const req = signedRequest([['Action', 'NoSuchAction']]);
    const signature = req.headers.Authorization?.split('Signature=')[1] ?? '';
    expect(signature).toHaveLength(64);
    const { body } = await errorOf(req);
    expect(body).not.toContain(signature);
    expect(body).not.toContain(CREDENTIALS.accessKeyId);
  });

  it('sets the date and content-type headers', async () => {
    const sandbox = createSandboxTransport({ latencyMs: 0, now: () => NOW });
    const res = await sandbox(signedRequest([['Action', 'DescribeKeyPairs']]));
    expect(res.headers).toEqual({
      date: 'Tue, 04 Mar 2025 05:06:07 GMT',
      'content-type': 'application/json',
    });
  });

  it('completes a call its caller abandoned, so the retry gets the stored answer', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const sandbox = createSandboxTransport({
      latencyMs: 10,
      sleep: () => (++calls === 1 ? held : Promise.resolve()),
    });
    const controller = new AbortController();
    const params = attachParams(['i-abc123'], [['ClientToken', 't-abandoned']]);
    const first = sandbox(signedRequest(params, { signal: controller.signal }));
    controller.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(sandbox.inventory.applications).toBe(0);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sandbox.inventory.applications).toBe(1);
    const retry = await sandbox(signedRequest(params));
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body).ResponseMetadata.RequestId).toMatch(/-sandbox-000001$/);
    expect(sandbox.inventory.applications).toBe(1);
  });

  it('does nothing for a request aborted before it was sent', async () => {
    const sandbox = createSandboxTransport({ latencyMs: 0 });
    const controller = new AbortController();
    controller.abort();
    const req = signedRequest(attachParams(['i-abc123']), { signal: controller.signal });
    await expect(sandbox(req)).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sandbox.inventory.applications).toBe(0);
  });
});

describe('sandbox ECS: DescribeKeyPairs and docs', () => {
  it('lists the sandbox key pairs, honouring MaxResults, with the server date', async () => {
    const { client } = setup();
    const all = await client.describeKeyPairs({ region: 'cn-beijing' });
    expect(all.keyPairs).toEqual(
      SANDBOX_KEY_PAIRS.map((k) => ({ keyPairId: k.keyPairId, keyPairName: k.keyPairName })),
    );
    expect(all.serverDate).toBe('Tue, 04 Mar 2025 05:06:07 GMT');
    const two = await client.describeKeyPairs({ region: 'cn-beijing', maxResults: 2 });
    expect(two.keyPairs.map((k) => k.keyPairName)).toEqual(['sandbox-ops', 'sandbox-deploy']);
  });

  it('pages with NextToken and refuses a bad MaxResults', async () => {
    const sandbox = createSandboxTransport({ latencyMs: 0 });
    const first = await sandbox(
      signedRequest([
        ['Action', 'DescribeKeyPairs'],
        ['MaxResults', '3'],
      ]),
    );
    const page = JSON.parse(first.body).Result;
    expect(page.KeyPairs).toHaveLength(3);
    expect(page.KeyPairs[0].FingerPrint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const rest = await sandbox(
      signedRequest([
        ['Action', 'DescribeKeyPairs'],
        ['MaxResults', '3'],
        ['NextToken', page.NextToken],
      ]),
    );
    expect(JSON.parse(rest.body).Result).toMatchObject({ NextToken: '' });
    expect(JSON.parse(rest.body).Result.KeyPairs).toHaveLength(SANDBOX_KEY_PAIRS.length - 3);
    const bad = await sandbox(
      signedRequest([
        ['Action', 'DescribeKeyPairs'],
        ['MaxResults', '0'],
      ]),
    );
    expect(bad.status).toBe(400);
  });

  it('lists every trigger word in its facts, with the code it leads to', () => {
    // The help words these facts per language (test/unit/sandbox-help.test.ts).
    expect(SANDBOX_FACTS.instanceWords.map((w) => [w.word, w.effect.code])).toEqual([
      ['missing', 'InvalidInstance.NotFound'],
      ['windows', 'InvalidKeyPairForWindows.Unsupported'],
      ['noagent', 'InvalidResetAuthenticationAgent.NotFound'],
      ['busy', 'InvalidInstanceStatus'],
      ['starting', 'InvalidInstanceStatus'],
      ['stopped', 'InvalidInstanceStatus'],
      ['throttle', 'FlowLimitExceeded'],
      ['noassist', 'CloudAssistantNotRunning'],
      ['scriptfail', 'CommandFailed'],
    ]);
    expect(SANDBOX_FACTS.keyPairWords).toEqual({
      missing: { word: 'missing', code: 'InvalidKeyPair.NotFound' },
      flaky: { word: 'flaky', status: 500, code: 'InternalError' },
      slow: { word: 'slow', seconds: 2 },
      importable: { word: 'new' },
    });
    expect(SANDBOX_FACTS.keyPairs).toContainEqual({
      keyPairName: 'sandbox-ops',
      keyPairId: 'kp-sandbox-ops',
    });
  });
});

describe('sandbox ECS: the inventory behind the reads, detach and restarts', () => {
  /** A sandbox on a clock that moves only when told, answering parsed bodies. */
  function world(rebootMs = 1_000) {
    let t = NOW.getTime();
    const sandbox = createSandboxTransport({ latencyMs: 0, rebootMs, now: () => new Date(t) });
    const call = async (params: Array<[string, string]>, region = 'cn-beijing') => {
      const res = await sandbox(signedRequest(params, { region }));
      const body = JSON.parse(res.body);
      return { status: res.status, error: body.ResponseMetadata.Error?.Code, result: body.Result };
    };
    const describe = async (extra: Array<[string, string]>, region?: string) =>
      (await call([['Action', 'DescribeInstances'], ['MaxResults', '100'], ...extra], region))
        .result as { Instances: Array<Record<string, unknown>>; TotalCount: number };
    const outcomes = async (action: string, ids: string[], extra: Array<[string, string]> = []) => {
      const r = await call([
        ['Action', action],
        ...ids.map((id, i): [string, string] => [`InstanceIds.${i + 1}`, id]),
        ...extra,
      ]);
      const details = r.result.OperationDetails as Array<{ Error: { Code: string } | null }>;
      return details.map((d) => d.Error?.Code ?? 'ok');
    };
    return {
      sandbox,
      call,
      describe,
      outcomes,
      advance: (ms: number) => {
        t += ms;
      },
    };
  }
  const idsOf = (r: { Instances: Array<Record<string, unknown>> }) =>
    r.Instances.map((i) => String(i.InstanceId));

  it('lists a believable fleet per region, the examples included and i-missing01 absent', async () => {
    const { describe } = world();
    const beijing = await describe([]);
    const names = beijing.Instances.map((i) => i.InstanceName);
    expect(names).toEqual(expect.arrayContaining(['web-01', 'api-02', 'db-primary']));
    expect(beijing.TotalCount).toBe(
      SANDBOX_FLEET.filter((i) => i.region === 'cn-beijing').length + SANDBOX_INSTANCES.length - 1,
    );
    expect(idsOf(beijing)).not.toContain('i-missing01');
    const shanghai = await describe([], 'cn-shanghai');
    expect(shanghai.Instances.map((i) => i.InstanceName)).toContain('web-sh-01');
    expect(idsOf(shanghai)).not.toContain('i-abc123');
    // The fleet's own ids never trip a trigger word.
    const words = ['missing', 'windows', 'noagent', 'busy', 'starting', 'stopped', 'throttle'];
    for (const { instanceId } of SANDBOX_FLEET) {
      expect(words.filter((w) => instanceId.includes(w))).toEqual([]);
    }
    const web01 = beijing.Instances.find((i) => i.InstanceName === 'web-01');
    expect(web01).toMatchObject({
      Status: 'RUNNING',
      OsType: 'Linux',
      KeyPairName: 'sandbox-legacy',
      KeyPairId: 'kp-sandbox-legacy',
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'web' },
      ],
    });
    const staging = await describe([
      ['TagFilters.1.Key', 'env'],
      ['TagFilters.1.Values.1', 'staging'],
    ]);
    expect(staging.Instances.map((i) => i.InstanceName)).toEqual([
      'staging-web-01',
      'staging-api-01',
      'ci-runner-01',
    ]);
    expect((await describe([['Status', 'STOPPED']])).Instances.map((i) => i.InstanceName)).toEqual([
      'api-03',
      'ci-runner-01',
      'example-stopped01',
    ]);
  });

  it('describes the examples and any new id by its words', async () => {
    const { describe } = world();
    const ids = [
      'i-abc123',
      'i-windows01',
      'i-noagent01',
      'i-busy01',
      'i-starting01',
      'i-stopped01',
      'i-new-Windows7',
      'i-gone-missing',
      'i-plain9',
    ];
    const found = await describe(
      ids.map((id, i): [string, string] => [`InstanceIds.${i + 1}`, id]),
    );
    const status = Object.fromEntries(
      found.Instances.map((i) => [i.InstanceId, `${i.Status} ${i.OsType}`]),
    );
    expect(status).toEqual({
      'i-abc123': 'RUNNING Linux',
      'i-windows01': 'RUNNING Windows',
      'i-noagent01': 'RUNNING Linux',
      'i-busy01': 'STOPPING Linux',
      'i-starting01': 'STARTING Linux',
      'i-stopped01': 'STOPPED Linux',
      'i-new-Windows7': 'RUNNING Windows',
      'i-plain9': 'RUNNING Linux',
    });
  });

  it('resolves key pairs exactly for a preview; a name with "missing" is never found', async () => {
    const { call } = world();
    const names = async (params: Array<[string, string]>) =>
      (
        (await call([['Action', 'DescribeKeyPairs'], ...params])).result.KeyPairs as Array<{
          KeyPairName: string;
        }>
      ).map((k) => k.KeyPairName);
    expect(await names([['KeyPairNames.1', 'alice-laptop']])).toEqual(['alice-laptop']);
    expect(await names([['KeyPairNames.1', 'team-missing']])).toEqual([]);
    expect(await names([['KeyPairName', 'LEGACY']])).toEqual(['sandbox-legacy']);
  });

  it('binds, verifies and undoes: DetachKeyPair unbinds only the key that is bound', async () => {
    const { sandbox, describe, outcomes } = world();
    const web01 = SANDBOX_FLEET.find((i) => i.name === 'web-01')?.instanceId ?? '';
    const ops: Array<[string, string]> = [['KeyPairName', 'sandbox-ops']];
    expect(await outcomes('AttachKeyPair', [web01, 'i-abc123'], ops)).toEqual(['ok', 'ok']);
    const after = await describe([['InstanceIds.1', web01]]);
    expect(after.Instances[0]).toMatchObject({ KeyPairName: 'sandbox-ops' });
    expect(sandbox.inventory.bindings.get(web01)?.keyPairName).toBe('sandbox-ops');
    // Undo: put the previous key back on one, detach from the other.
    const legacy: Array<[string, string]> = [['KeyPairId', 'kp-sandbox-legacy']];
    expect(await outcomes('AttachKeyPair', [web01], legacy)).toEqual(['ok']);
    expect(await outcomes('DetachKeyPair', ['i-abc123', 'i-stopped01', 'i-busy01'], ops)).toEqual([
      'ok',
      'InvalidKeyPair.NotAttached',
      'InvalidKeyPair.NotAttached',
    ]);
    expect(sandbox.inventory.instance('i-abc123')?.keyPairName).toBeUndefined();
    expect(sandbox.inventory.instance(web01)?.keyPairName).toBe('sandbox-legacy');
    expect([...sandbox.inventory.bindings.keys()]).toEqual([web01]);
    // A throttled instance refuses every change; the checks of the action itself come first.
    expect(await outcomes('DetachKeyPair', ['i-throttle01'], ops)).toEqual([
      'InvalidKeyPair.NotAttached',
    ]);
    sandbox.inventory.simulator.bind('i-throttle01', { keyPairName: 'sandbox-ops' });
    expect(await outcomes('DetachKeyPair', ['i-throttle01'], ops)).toEqual(['FlowLimitExceeded']);
  });

  it('restarts RUNNING instances: REBOOTING for rebootMs, then RUNNING', async () => {
    const { sandbox, describe, outcomes, advance } = world(2_000);
    const ids = ['i-abc123', 'i-stopped01', 'i-busy01', 'i-throttle01', 'i-missing01'];
    expect(await outcomes('RebootInstances', ids, [['ClientToken', 'r-1']])).toEqual([
      'ok',
      'InvalidInstanceStatus',
      'InvalidInstanceStatus',
      'FlowLimitExceeded',
      'InvalidInstance.NotFound',
    ]);
    const status = async () =>
      (await describe([['InstanceIds.1', 'i-abc123']])).Instances[0]?.Status;
    expect(await status()).toBe('REBOOTING');
    advance(1_999);
    expect(await status()).toBe('REBOOTING');
    advance(1);
    expect(await status()).toBe('RUNNING');
    // The same token replays the answer: no second restart.
    await outcomes('RebootInstances', ids, [['ClientToken', 'r-1']]);
    expect(sandbox.inventory.timesRebooted('i-abc123')).toBe(1);
    expect(sandbox.inventory.applications).toBe(0);
  });

  it('is flaky and slow for detaches too', async () => {
    const sleeps: number[] = [];
    const sandbox = createSandboxTransport({
      now: () => NOW,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const params: Array<[string, string]> = [
      ['Action', 'DetachKeyPair'],
      ['InstanceIds.1', 'i-abc123'],
      ['KeyPairName', 'slow-flaky'],
      ['ClientToken', 'd-1'],
    ];
    const first = await sandbox(signedRequest(params));
    expect(first.status).toBe(500);
    const second = await sandbox(signedRequest(params));
    expect(second.status).toBe(200);
    expect(sleeps).toEqual([2_050, 2_050]);
  });

  it('describes the inventory in its facts: the fleet per region, the STOPPED ones', () => {
    const names = SANDBOX_FACTS.fleet.flatMap((f) => f.names);
    expect(names.sort()).toEqual(SANDBOX_FLEET.map((i) => i.name).sort());
    expect(SANDBOX_FACTS.fleet.map((f) => f.region)).toEqual(['cn-beijing', 'cn-shanghai']);
    expect(SANDBOX_FACTS.stopped).toEqual(['api-03', 'ci-runner-01']);
    expect(SANDBOX_FLEET.some((i) => i.keyPairName === SANDBOX_FACTS.legacyKeyPair)).toBe(true);
  });
});
