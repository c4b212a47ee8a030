import { describe, expect, it } from 'vitest';
import type { CallInfo, EcsClientOptions } from '../../src/volcengine/ecs-client.js';
import { VolcApiError } from '../../src/volcengine/errors.js';
import { clientOn, createEcsStandIn, knownKey } from '../support/ecs-stand-in.js';

// DescribeInstances / DescribeKeyPairs through the client, against a stand-in that checks
// every signature. Concurrency is shown by holding calls open, never by timing.

const KEY = { accessKeyId: 'AKLTreadskey', secretAccessKey: 'ReadsSecretKey0123==' };
const REGION = 'cn-beijing';

function setup(overrides: Partial<EcsClientOptions> = {}) {
  const api = createEcsStandIn({ keys: knownKey(KEY) });
  const calls: CallInfo[] = [];
  const client = clientOn(api, {
    credentials: KEY,
    random: () => 0.5,
    onCall: (info) => calls.push(info),
    ...overrides,
  });
  return { api, client, calls };
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `i-${from + i}`);
const apiInstance = (id: string) => ({
  InstanceId: id,
  InstanceName: `name-${id}`,
  Status: 'RUNNING',
  OsType: 'Linux',
});

describe('describeInstancesPage', () => {
  it('sends the filters and reads every field, tags included', async () => {
    const { api, client } = setup();
    api.on('DescribeInstances', () => ({
      result: {
        Instances: [
          {
            InstanceId: 'i-full',
            InstanceName: 'web-1',
            Status: 'RUNNING',
            OsType: 'Linux',
            OsName: 'Ubuntu 22.04',
            KeyPairId: 'kp-1',
            KeyPairName: 'ops',
            ZoneId: 'cn-beijing-a',
            Tags: [{ Key: 'team', Value: 'infra' }, { Key: 'empty' }, { Value: 'no key' }],
          },
          { InstanceId: 'i-bare' },
        ],
        NextToken: 'tok-2',
        TotalCount: 7,
      },
    }));
    const page = await client.describeInstancesPage({
      region: REGION,
      instanceIds: ['i-full', 'i-bare'],
      instanceName: 'web',
      maxResults: 50,
      nextToken: 'tok-1',
    });
    const [call] = api.calls;
    expect(call?.auth.ok).toBe(true);
    expect(call?.query).toMatchObject({
      Action: 'DescribeInstances',
      Version: '2020-04-01',
      'InstanceIds.1': 'i-full',
      'InstanceIds.2': 'i-bare',
      InstanceName: 'web',
      MaxResults: '50',
      NextToken: 'tok-1',
    });
    expect(page).toEqual({
      requestId: 'standin-0001',
      instances: [
        {
          instanceId: 'i-full',
          name: 'web-1',
          status: 'RUNNING',
          osType: 'Linux',
          osName: 'Ubuntu 22.04',
          keyPairId: 'kp-1',
          keyPairName: 'ops',
          zoneId: 'cn-beijing-a',
          tags: [
            { key: 'team', value: 'infra' },
            { key: 'empty', value: '' },
          ],
        },
        { instanceId: 'i-bare', name: '', status: '', osType: '', tags: [] },
      ],
      nextToken: 'tok-2',
      totalCount: 7,
      malformed: 0,
    });
  });

  it('skips and counts entries without a string id; an empty NextToken is the last page', async () => {
    const { api, client } = setup();
    api.on('DescribeInstances', () => ({
      result: {
        Instances: [{ InstanceId: 42 }, 'junk', null, { InstanceId: 'i-ok' }],
        NextToken: '',
      },
    }));
    const page = await client.describeInstancesPage({ region: REGION });
    expect(page.instances.map((i) => i.instanceId)).toEqual(['i-ok']);
    expect(page.malformed).toBe(3);
    expect(page.nextToken).toBeUndefined();
  });

  it('sends TagFilters and the KeyPairName filter (issue 21), and refuses more than the API takes', async () => {
    const { api, client } = setup();
    api.on('DescribeInstances', () => ({ result: { Instances: [], TotalCount: 0 } }));
    await client.describeInstancesPage({
      region: REGION,
      tagFilters: [
        { key: 'env', values: ['prod'] },
        { key: 'role', values: [] },
      ],
      keyPairName: 'alice-2024',
      maxResults: 100,
    });
    expect(api.calls[0]?.query).toMatchObject({
      'TagFilters.1.Key': 'env',
      'TagFilters.1.Values.1': 'prod',
      'TagFilters.2.Key': 'role',
      KeyPairName: 'alice-2024',
    });
    expect(api.calls[0]?.query).not.toHaveProperty('TagFilters.2.Values.1');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, values: [] }));
    await expect(
      client.describeInstancesPage({ region: REGION, tagFilters: eleven }),
    ).rejects.toMatchObject({ code: 'InvalidParameter.TagFilters' });
    const four = [{ key: 'env', values: ['a', 'b', 'c', 'd'] }];
    await expect(
      client.describeInstancesPage({ region: REGION, tagFilters: four }),
    ).rejects.toMatchObject({ code: 'InvalidParameter.TagFilters' });
    expect(api.calls).toHaveLength(1);
  });

  it('refuses more than 100 ids or a bad MaxResults before sending', async () => {
    const { api, client } = setup();
    await expect(
      client.describeInstancesPage({ region: REGION, instanceIds: ids(101) }),
    ).rejects.toMatchObject({
      code: 'LimitExceeded.MaximumInstanceIds',
    });
    await expect(
      client.describeInstancesPage({ region: REGION, maxResults: 101 }),
    ).rejects.toMatchObject({
      code: 'InvalidParameter.MaxResults',
    });
    expect(api.calls).toHaveLength(0);
  });
});

describe('describeInstances: any number of ids', () => {
  it('reads 500 ids as 5 chunks of 100 in flight together, each with MaxResults=100', async () => {
    const { api, client } = setup({ readConcurrency: 5 });
    api.instances.push(...ids(500).map(apiInstance));
    const held = Array.from({ length: 5 }, () => api.hold('DescribeInstances'));
    const reading = client.describeInstances({ region: REGION, instanceIds: ids(500) });
    // All five arrive while none has been answered: they run side by side, not in a row.
    const arrived = await Promise.all(held.map((h) => h.arrived));
    expect(arrived.map((c) => c.instanceIds.length)).toEqual([100, 100, 100, 100, 100]);
    expect(arrived.every((c) => c.query.MaxResults === '100')).toBe(true);
    expect(new Set(arrived.flatMap((c) => c.instanceIds)).size).toBe(500);
    for (const h of held) h.release();
    const readout = await reading;
    expect(readout.instances.map((i) => i.instanceId)).toEqual(ids(500));
    expect(readout.requestIds).toHaveLength(5);
    expect(readout.problems).toEqual([]);
  });

  it('keeps at most readConcurrency chunk calls in flight (default 4)', async () => {
    const { api, client } = setup();
    api.instances.push(...ids(500).map(apiInstance));
    const held = Array.from({ length: 4 }, () => api.hold('DescribeInstances'));
    const reading = client.describeInstances({ region: REGION, instanceIds: ids(500) });
    await Promise.all(held.map((h) => h.arrived));
    expect(api.calls).toHaveLength(4);
    const fifth = api.hold('DescribeInstances');
    held[0]?.release();
    expect((await fifth.arrived).instanceIds[0]).toBe('i-400');
    fifth.release();
    for (const h of held.slice(1)) h.release();
    expect((await reading).instances).toHaveLength(500);
  });

  it('follows NextToken within a chunk and dedupes ids asked twice', async () => {
    const { api, client } = setup();
    api.instances.push(...ids(3).map(apiInstance));
    api.on('DescribeInstances', (call) => {
      // One instance per page, whatever MaxResults says.
      const at = Number(call.query.NextToken ?? '0');
      const next = at + 1 < 3 ? String(at + 1) : '';
      return { result: { Instances: [apiInstance(`i-${at}`)], NextToken: next } };
    });
    const readout = await client.describeInstances({
      region: REGION,
      instanceIds: ['i-2', 'i-0', 'i-1', 'i-0'],
    });
    expect(api.calls.map((c) => c.query.NextToken)).toEqual([undefined, '1', '2']);
    expect(api.calls[0]?.instanceIds).toEqual(['i-2', 'i-0', 'i-1']);
    expect(readout.instances.map((i) => i.instanceId)).toEqual(['i-2', 'i-0', 'i-1']);
    expect(readout.requestIds).toEqual(['standin-0001', 'standin-0002', 'standin-0003']);
  });

  it('stops an endless NextToken after readMaxPages pages and says so', async () => {
    const { api, client } = setup({ readMaxPages: 3 });
    api.on('DescribeInstances', () => ({
      result: { Instances: [apiInstance('i-0')], NextToken: 'again' },
    }));
    const readout = await client.describeInstances({ region: REGION, instanceIds: ['i-0', 'i-1'] });
    expect(api.calls).toHaveLength(3);
    expect(readout.instances.map((i) => i.instanceId)).toEqual(['i-0']);
    expect(readout.problems).toEqual([{ kind: 'paging_stopped', pages: 3, instanceIds: ['i-1'] }]);
  });

  it('drops unrequested and malformed entries, reporting both', async () => {
    const { api, client } = setup();
    api.on('DescribeInstances', () => ({
      result: {
        Instances: [
          apiInstance('i-0'),
          { InstanceName: 'no id' },
          'junk',
          apiInstance('i-stranger'),
          apiInstance('i-0'),
        ],
      },
    }));
    const readout = await client.describeInstances({ region: REGION, instanceIds: ['i-0', 'i-1'] });
    expect(readout.instances.map((i) => i.instanceId)).toEqual(['i-0']);
    expect(readout.problems).toEqual([
      { kind: 'malformed', count: 2 },
      { kind: 'unrequested', instanceIds: ['i-stranger'] },
    ]);
  });

  it('reports a chunk that failed after its retries; the other chunks still count', async () => {
    const { api, client } = setup();
    api.instances.push(...ids(250).map(apiInstance));
    api.on('DescribeInstances', (call) => {
      if (call.instanceIds.includes('i-150')) {
        return { status: 500, error: { code: 'InternalError', message: 'backend down' } };
      }
      return {
        result: {
          Instances: api.instances.filter((i) => call.instanceIds.includes(String(i.InstanceId))),
        },
      };
    });
    const readout = await client.describeInstances({ region: REGION, instanceIds: ids(250) });
    expect(api.calls).toHaveLength(2 + 3); // two good chunks, three attempts at the bad one
    expect(readout.instances.map((i) => i.instanceId)).toEqual([...ids(100), ...ids(50, 200)]);
    expect(readout.problems).toEqual([
      {
        kind: 'failed',
        instanceIds: ids(100, 100),
        error: {
          code: 'InternalError',
          message: expect.stringContaining('backend down'),
          httpStatus: 500,
          requestId: expect.stringMatching(/^standin-/),
          call: 'ecs:DescribeInstances',
        },
      },
    ]);
  });

  it('makes no call for no ids', async () => {
    const { api, client } = setup();
    expect(await client.describeInstances({ region: REGION, instanceIds: [] })).toEqual({
      instances: [],
      requestIds: [],
      problems: [],
    });
    expect(api.calls).toHaveLength(0);
  });
});

describe('key pairs', () => {
  const pairs = [
    { KeyPairId: 'kp-ops', KeyPairName: 'ops', FingerPrint: 'aa:bb', Description: 'Ops team' },
    { KeyPairId: 'kp-ops2', KeyPairName: 'ops-2', FingerPrint: 'cc:dd' },
    { KeyPairName: 'no-id' },
  ];

  it('describeKeyPairsPage sends exact and fuzzy filters and reads fingerprint and description', async () => {
    const { api, client } = setup();
    api.keyPairs.push(...pairs);
    const page = await client.describeKeyPairsPage({
      region: REGION,
      keyPairName: 'ops',
      maxResults: 10,
    });
    expect(api.calls[0]?.query).toMatchObject({ KeyPairName: 'ops', MaxResults: '10' });
    expect(page.keyPairs).toEqual([
      { keyPairId: 'kp-ops', keyPairName: 'ops', fingerprint: 'aa:bb', description: 'Ops team' },
      { keyPairId: 'kp-ops2', keyPairName: 'ops-2', fingerprint: 'cc:dd' },
    ]);
    expect(page.malformed).toBe(0);
    expect(page.serverDate).toMatch(/GMT$/);
  });

  it('findKeyPair looks up one exact name or id, and answers undefined when there is none', async () => {
    const { api, client } = setup();
    api.keyPairs.push(...pairs);
    expect(await client.findKeyPair({ region: REGION, keyPairName: 'ops' })).toMatchObject({
      keyPairId: 'kp-ops',
    });
    expect(api.calls[0]?.query['KeyPairNames.1']).toBe('ops');
    expect(await client.findKeyPair({ region: REGION, keyPairId: 'kp-ops2' })).toMatchObject({
      keyPairName: 'ops-2',
    });
    expect(api.calls[1]?.query['KeyPairIds.1']).toBe('kp-ops2');
    expect(await client.findKeyPair({ region: REGION, keyPairName: 'op' })).toBeUndefined();
    // A server that matched loosely does not make a near name an exact one.
    api.on('DescribeKeyPairs', () => ({ result: { KeyPairs: [pairs[1]] } }));
    expect(await client.findKeyPair({ region: REGION, keyPairName: 'ops' })).toBeUndefined();
    await expect(client.findKeyPair({ region: REGION, keyPairName: '' })).rejects.toMatchObject({
      code: 'MissingParameter.KeyPairNameAndKeyPairId',
    });
  });

  it('suggestKeyPairs uses the fuzzy name filter, up to the limit', async () => {
    const { api, client } = setup();
    api.keyPairs.push(...pairs);
    const found = await client.suggestKeyPairs({ region: REGION, text: ' ops ', limit: 1 });
    expect(found.map((k) => k.keyPairName)).toEqual(['ops']);
    expect(api.calls[0]?.query).toMatchObject({ KeyPairName: 'ops', MaxResults: '1' });
  });
});

describe('onCall', () => {
  it('reports each logical call once, after its retries, with attempts and duration', async () => {
    let t = Date.parse('2026-11-28T10:00:00Z');
    const { api, client, calls } = setup({
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
      },
    });
    let first = true;
    api.on('DescribeInstances', () => {
      if (!first) return { result: { Instances: [] } };
      first = false;
      return { status: 503, error: { code: 'ServiceUnavailableTemp' } };
    });
    await client.describeInstancesPage({ region: REGION });
    api.on('DescribeKeyPairs', () => ({ status: 403, error: { code: 'AccessDenied' } }));
    await expect(client.describeKeyPairsPage({ region: REGION })).rejects.toBeInstanceOf(
      VolcApiError,
    );
    await expect(client.describeKeyPairsPage({ region: 'cn/bad' })).rejects.toMatchObject({
      code: 'InvalidParameter.Region',
    });
    expect(calls).toEqual([
      { service: 'ecs', action: 'DescribeInstances', outcome: 'ok', durationMs: 225, attempts: 2 },
      {
        service: 'ecs',
        action: 'DescribeKeyPairs',
        outcome: 'error',
        code: 'AccessDenied',
        durationMs: 0,
        attempts: 1,
      },
      {
        service: 'ecs',
        action: 'DescribeKeyPairs',
        outcome: 'error',
        code: 'InvalidParameter.Region',
        durationMs: 0,
        attempts: 0,
      },
    ]);
  });

  it('a hook that throws does not fail the call', async () => {
    const { client } = setup({
      onCall: () => {
        throw new Error('metrics broke');
      },
    });
    await expect(client.describeInstancesPage({ region: REGION })).resolves.toMatchObject({
      instances: [],
    });
  });
});

describe('credentials provider', () => {
  it('is asked on every attempt, so a retry signs with whatever it gives then', async () => {
    const second = { accessKeyId: 'AKLTsecondkey', secretAccessKey: 'SecondSecretKey0123==' };
    const api = createEcsStandIn({
      keys: (ak) => knownKey(KEY)(ak) ?? knownKey(second)(ak),
    });
    const handed = [KEY, second];
    let asked = 0;
    const client = clientOn(api, {
      credentials: { get: async () => handed[Math.min(asked++, 1)] ?? KEY },
    });
    let first = true;
    api.on('DescribeInstances', () => {
      if (!first) return { result: { Instances: [] } };
      first = false;
      return { status: 500, error: { code: 'InternalError' } };
    });
    await client.describeInstancesPage({ region: REGION });
    expect(asked).toBe(2);
    expect(api.calls.map((c) => c.auth.ok && c.auth.accessKeyId)).toEqual([
      KEY.accessKeyId,
      second.accessKeyId,
    ]);
  });
});
