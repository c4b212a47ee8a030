import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUndiciTransport } from '../../src/volcengine/ecs-client.js';
import { hashPayload } from '../../src/volcengine/signer.js';
import { eventually } from '../support/bot-harness.js';
import {
  type FakeEcsApi,
  type FakeEcsCredentials,
  type FakeEcsOptions,
  startFakeEcsApi,
} from '../support/fake-ecs-api.js';
import { signedEcsRequest } from '../support/signed-ecs-request.js';

// The fake ECS API's inventory over HTTP: plain signed GETs, as the bot's client sends them, for
// the actions the client does not have methods for yet.

const CREDS: FakeEcsCredentials = {
  accessKeyId: 'AKLTinventorytest',
  secretAccessKey: 'inventory-secret-key==',
};
type Pairs = Array<[string, string]>;

let fake: FakeEcsApi | undefined;
const transport = createUndiciTransport();
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
afterAll(() => transport.close());

async function start(options: Partial<FakeEcsOptions> = {}): Promise<FakeEcsApi> {
  fake = await startFakeEcsApi({ credentials: CREDS, ...options });
  return fake;
}

/** One signed call; the parsed answer with per-instance outcomes ('ok' or the code). */
async function send(
  api: FakeEcsApi,
  action: string,
  params: Pairs = [],
  options: { credentials?: FakeEcsCredentials; region?: string } = {},
) {
  const res = await transport(
    signedEcsRequest({
      origin: api.url,
      query: [['Action', action], ['Version', '2020-04-01'], ...params],
      headers: { 'X-Content-Sha256': hashPayload('') },
      credentials: options.credentials ?? CREDS,
      ...(options.region ? { region: options.region } : {}),
    }),
  );
  const body = JSON.parse(res.body);
  const result = body.Result ?? {};
  const details: Array<{ InstanceId: string; Error: { Code: string } | null }> =
    result.OperationDetails ?? [];
  return {
    status: res.status,
    error: body.ResponseMetadata.Error?.Code as string | undefined,
    result,
    outcomes: details.map((d) => d.Error?.Code ?? 'ok'),
  };
}

const ids = (list: string[]): Pairs => list.map((id, i) => [`InstanceIds.${i + 1}`, id]);
const key = (name: string): Pairs => [['KeyPairName', name]];
const listed = (r: { result: { Instances?: Array<{ InstanceId: string }> } }) =>
  (r.result.Instances ?? []).map((i) => i.InstanceId);

describe('fake ECS inventory', () => {
  it('materialises any i- id on sight, unless the test made it absent', async () => {
    const api = await start({ absent: ['i-gone0001'] });
    api.makeAbsent('i-gone0002');
    const r = await send(api, 'DescribeInstances', ids(['i-new00001', 'i-gone0001', 'x-other']));
    expect(r.result.Instances).toEqual([
      expect.objectContaining({
        InstanceId: 'i-new00001',
        Status: 'RUNNING',
        OsType: 'Linux',
        KeyPairName: '',
      }),
    ]);
    const attach = await send(api, 'AttachKeyPair', [
      ...ids(['i-gone0002', 'i-new00001']),
      ...key('k'),
    ]);
    expect(attach.outcomes).toEqual(['InvalidInstance.NotFound', 'ok']);
    expect(api.instance('i-new00001')?.keyPairName).toBe('k');
  });

  it('lists registered instances with their state, a page at a time', async () => {
    const api = await start({
      instances: [
        { instanceId: 'i-web1', name: 'web-01', tags: [{ key: 'env', value: 'prod' }] },
        { instanceId: 'i-web2', name: 'web-02', keyPairName: 'legacy', status: 'STOPPED' },
        { instanceId: 'i-win1', name: 'win-01', osType: 'Windows' },
      ],
    });
    api.addInstance({ instanceId: 'i-sh1', region: 'cn-shanghai', name: 'web-sh' });
    const first = await send(api, 'DescribeInstances', [['MaxResults', '2']]);
    expect(listed(first)).toEqual(['i-web1', 'i-web2']);
    expect(first.result.TotalCount).toBe(3);
    const rest = await send(api, 'DescribeInstances', [
      ['MaxResults', '2'],
      ['NextToken', first.result.NextToken],
    ]);
    expect(listed(rest)).toEqual(['i-win1']);
    expect(rest.result.NextToken).toBe('');
    const web = await send(api, 'DescribeInstances', [['InstanceName', 'WEB']]);
    expect(web.result.Instances.map((i: { KeyPairName: string }) => i.KeyPairName)).toEqual([
      '',
      'legacy',
    ]);
    expect(listed(await send(api, 'DescribeInstances', [], { region: 'cn-shanghai' }))).toEqual([
      'i-sh1',
    ]);
    // The bound key pair exists too, with a fingerprint.
    const pairs = await send(api, 'DescribeKeyPairs', [['KeyPairNames.1', 'legacy']]);
    expect(pairs.result.KeyPairs[0].FingerPrint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  it('attaches, detaches and reboots, counting each per instance', async () => {
    // Long enough that a loaded machine still sees REBOOTING right after the call.
    const api = await start({
      rebootMs: 1_000,
      instances: [{ instanceId: 'i-off1', status: 'STOPPED' }],
    });
    await send(api, 'AttachKeyPair', [...ids(['i-a', 'i-off1']), ...key('ops')]);
    expect(api.timesApplied('i-off1')).toBe(1);
    const detach = await send(api, 'DetachKeyPair', [...ids(['i-a', 'i-b']), ...key('ops')]);
    expect(detach.outcomes).toEqual(['ok', 'InvalidKeyPair.NotAttached']);
    expect(api.timesDetached('i-a')).toBe(1);
    expect(api.instance('i-a')?.keyPairName).toBeUndefined();

    const reboot = await send(api, 'RebootInstances', ids(['i-a', 'i-off1']));
    expect(reboot.outcomes).toEqual(['ok', 'InvalidInstanceStatus']);
    const status = async () =>
      (await send(api, 'DescribeInstances', ids(['i-a']))).result.Instances[0].Status;
    expect(await status()).toBe('REBOOTING');
    await eventually(async () => (await status()) === 'RUNNING', 'the instance back', 3_000);
    expect(api.timesRebooted('i-a')).toBe(1);
    expect(api.mutations.map((m) => m.action)).toEqual([
      'AttachKeyPair',
      'DetachKeyPair',
      'RebootInstances',
    ]);
    expect([...api.applications.keys()]).toEqual(['no-token-1']);
  });

  it('applies any mutation before a scripted failure when asked; the retry replays it', async () => {
    const api = await start();
    api.script({
      action: 'RebootInstances',
      kind: 'error',
      status: 500,
      code: 'InternalError',
      apply: true,
    });
    const params: Pairs = [...ids(['i-a']), ['ClientToken', 'reboot-1']];
    expect((await send(api, 'RebootInstances', params)).status).toBe(500);
    expect(api.calls[0]?.applied).toBe(true);
    expect((await send(api, 'RebootInstances', params)).outcomes).toEqual(['ok']);
    expect(api.calls[1]?.applied).toBe(false);
    expect(api.timesRebooted('i-a')).toBe(1);
    expect(api.mutations[0]?.replays).toBe(1);
  });

  it('fails an instance for the action asked, AttachKeyPair by default', async () => {
    const api = await start();
    api.failInstance('i-a', 'InvalidInstanceStatus');
    api.failInstance('i-b', 'FlowLimitExceeded', undefined, { action: 'all' });
    expect(
      (await send(api, 'AttachKeyPair', [...ids(['i-a', 'i-b']), ...key('k')])).outcomes,
    ).toEqual(['InvalidInstanceStatus', 'FlowLimitExceeded']);
    expect((await send(api, 'RebootInstances', ids(['i-a', 'i-b']))).outcomes).toEqual([
      'ok',
      'FlowLimitExceeded',
    ]);
  });

  it('knows only its key pairs and instances when strict', async () => {
    const api = await start({
      strictKeyPairs: true,
      strictInstances: true,
      keyPairs: [{ keyPairId: 'kp-1', keyPairName: 'known' }],
      instances: [{ instanceId: 'i-known' }],
    });
    expect(await send(api, 'AttachKeyPair', [...ids(['i-known']), ...key('other')])).toMatchObject({
      status: 404,
      error: 'InvalidKeyPair.NotFound',
    });
    expect(
      (await send(api, 'DescribeKeyPairs', [['KeyPairNames.1', 'other']])).result.KeyPairs,
    ).toEqual([]);
    const r = await send(api, 'AttachKeyPair', [...ids(['i-known', 'i-else']), ...key('known')]);
    expect(r.outcomes).toEqual(['ok', 'InvalidInstance.NotFound']);
  });

  it('starts over on reset, with the inventory it was given', async () => {
    const api = await start({ instances: [{ instanceId: 'i-known', name: 'known' }] });
    await send(api, 'AttachKeyPair', [...ids(['i-known', 'i-extra']), ...key('k')]);
    api.reset();
    expect(api.calls).toHaveLength(0);
    expect(api.mutations).toHaveLength(0);
    expect(api.instance('i-known')?.keyPairName).toBeUndefined();
    expect(api.instance('i-extra')).toBeUndefined();
  });
});

describe('fake ECS DescribeInstances filters (issue 21)', () => {
  const tags = (...pairs: Array<[string, string]>) =>
    pairs.map(([k, value]) => ({ key: k, value }));
  const fleet = () =>
    start({
      instances: [
        {
          instanceId: 'i-web1',
          tags: tags(['env', 'prod'], ['role', 'web']),
          keyPairName: 'alice-2024',
        },
        { instanceId: 'i-web2', tags: tags(['env', 'staging'], ['role', 'web']) },
        { instanceId: 'i-db1', tags: tags(['env', 'prod'], ['role', 'db'], ['note', '']) },
        { instanceId: 'i-old1', tags: tags(['env', 'prod']), keyPairName: 'alice-2024-old' },
        { instanceId: 'i-bob1', tags: [], keyPairName: 'bob' },
      ],
    });

  it('ANDs tag keys, ORs the values of one key, and takes a key without values as any value', async () => {
    const api = await fleet();
    const q = (...params: Pairs) => send(api, 'DescribeInstances', params).then(listed);
    expect(
      await q(
        ['TagFilters.1.Key', 'env'],
        ['TagFilters.1.Values.1', 'prod'],
        ['TagFilters.2.Key', 'role'],
        ['TagFilters.2.Values.1', 'web'],
      ),
    ).toEqual(['i-web1']);
    expect(
      await q(
        ['TagFilters.1.Key', 'env'],
        ['TagFilters.1.Values.1', 'prod'],
        ['TagFilters.1.Values.2', 'staging'],
        ['TagFilters.2.Key', 'role'],
      ),
    ).toEqual(['i-web1', 'i-web2', 'i-db1']);
    // An empty value matches an empty tag value (volcengine.md §9).
    expect(await q(['TagFilters.1.Key', 'note'], ['TagFilters.1.Values.1', ''])).toEqual(['i-db1']);
    expect(await q(['TagFilters.1.Key', 'Env'])).toEqual([]);
  });

  it('matches KeyPairName fuzzily, as the API may: callers must re-check', async () => {
    const api = await fleet();
    const r = await send(api, 'DescribeInstances', [['KeyPairName', 'ALICE-2024']]);
    expect(listed(r)).toEqual(['i-web1', 'i-old1']);
  });

  it('refuses more than 10 tag keys, a key twice and more than 3 values', async () => {
    const api = await fleet();
    const eleven: Pairs = Array.from({ length: 11 }, (_, i) => [
      `TagFilters.${i + 1}.Key`,
      `k${i}`,
    ]);
    expect((await send(api, 'DescribeInstances', eleven)).error).toBe('InvalidParameter');
    const twice: Pairs = [
      ['TagFilters.1.Key', 'env'],
      ['TagFilters.2.Key', 'env'],
    ];
    expect((await send(api, 'DescribeInstances', twice)).error).toBe('InvalidParameter');
    const four: Pairs = [
      ['TagFilters.1.Key', 'env'],
      ...[1, 2, 3, 4].map((n): [string, string] => [`TagFilters.1.Values.${n}`, `v${n}`]),
    ];
    expect((await send(api, 'DescribeInstances', four)).error).toBe('InvalidParameter');
  });

  it('lists at most 1,000 instances for a tag query, while TotalCount counts them all', async () => {
    const api = await start({
      instances: Array.from({ length: 1_005 }, (_, i) => ({
        instanceId: `i-many${String(i).padStart(5, '0')}`,
        tags: tags(['env', 'prod']),
      })),
    });
    let nextToken = '';
    let seen = 0;
    let total = 0;
    do {
      const r = await send(api, 'DescribeInstances', [
        ['TagFilters.1.Key', 'env'],
        ['MaxResults', '100'],
        ...(nextToken ? ([['NextToken', nextToken]] as Pairs) : []),
      ]);
      seen += listed(r).length;
      total = r.result.TotalCount;
      nextToken = r.result.NextToken;
    } while (nextToken);
    expect(seen).toBe(1_000);
    expect(total).toBe(1_005);
    // Without a tag filter every instance is listed.
    const all = await send(api, 'DescribeInstances', [['MaxResults', '100']]);
    expect(all.result.TotalCount).toBe(1_005);
  });
});

describe('fake ECS credentials lookup', () => {
  it('accepts temporary keys with their session token, refuses unknown keys and bad tokens', async () => {
    const issued = new Map([
      ['AKTPtemp0001', { secretAccessKey: 'temp-secret', sessionToken: 'tok-1' }],
    ]);
    const api = await start({ credentials: (accessKeyId) => issued.get(accessKeyId) });
    const temp = {
      accessKeyId: 'AKTPtemp0001',
      secretAccessKey: 'temp-secret',
      sessionToken: 'tok-1',
    };
    expect((await send(api, 'DescribeKeyPairs', [], { credentials: temp })).status).toBe(200);
    expect(
      await send(api, 'DescribeKeyPairs', [], { credentials: { ...temp, sessionToken: 'tok-2' } }),
    ).toMatchObject({
      status: 401,
      error: 'InvalidAccessKey',
    });
    expect(
      await send(api, 'DescribeKeyPairs', [], {
        credentials: { ...temp, accessKeyId: 'AKTPnope' },
      }),
    ).toMatchObject({ status: 401, error: 'InvalidAccessKey' });
    expect(api.calls.map((c) => c.auth.ok)).toEqual([true, false, false]);
  });
});
