import { describe, expect, it } from 'vitest';
import {
  createEcsSimulator,
  type EcsAnswer,
  type EcsSimulatorOptions,
} from '../../src/sandbox/simulator.js';

type Pairs = Array<[string, string]>;

/** A simulator on a manual clock, with a call helper that reads the interesting bits. */
function setup(options: EcsSimulatorOptions = {}) {
  let t = Date.parse('2026-01-02T03:04:05Z');
  const sim = createEcsSimulator({ now: () => t, rebootMs: 1_000, ...options });
  const call = (action: string, params: Pairs = [], region = 'cn-beijing') =>
    view(sim.handle({ action, version: '2020-04-01', region, params }));
  const advance = (ms: number) => {
    t += ms;
  };
  return { sim, call, advance };
}

function view(answer: EcsAnswer) {
  const meta = answer.body.ResponseMetadata;
  const result = (answer.body.Result ?? {}) as Record<string, unknown>;
  const details = (result.OperationDetails ?? []) as Array<{
    InstanceId: string;
    Error: { Code: string } | null;
  }>;
  return {
    answer,
    status: answer.status,
    error: meta.Error?.Code,
    result,
    requestId: meta.RequestId,
    /** Per instance: 'ok' or the error code. */
    outcomes: Object.fromEntries(details.map((d) => [d.InstanceId, d.Error?.Code ?? 'ok'])),
  };
}

const ids = (list: string[]): Pairs => list.map((id, i) => [`InstanceIds.${i + 1}`, id]);
const instancesOf = (r: { result: Record<string, unknown> }) =>
  r.result.Instances as Array<Record<string, unknown>>;
const namesOf = (r: { result: Record<string, unknown> }) =>
  instancesOf(r).map((i) => i.InstanceName);

describe('ECS simulator: DescribeInstances', () => {
  it('pages 250 instances with MaxResults 100 and an opaque NextToken, in a stable order', () => {
    const { sim, call } = setup();
    for (let i = 0; i < 250; i++) {
      sim.addInstance({ instanceId: `i-${String(i).padStart(3, '0')}`, region: 'cn-beijing' });
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let token = '';
    do {
      const page = call('DescribeInstances', [
        ['MaxResults', '100'],
        ...(token ? ([['NextToken', token]] as Pairs) : []),
      ]);
      expect(page.status).toBe(200);
      expect(page.result.TotalCount).toBe(250);
      sizes.push(instancesOf(page).length);
      seen.push(...instancesOf(page).map((i) => String(i.InstanceId)));
      token = String(page.result.NextToken);
    } while (token !== '');
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen).toEqual(sim.instances().map((i) => i.instanceId));
    expect(new Set(seen).size).toBe(250);
    // Default page size 10; bad sizes and tokens are refused.
    expect(instancesOf(call('DescribeInstances'))).toHaveLength(10);
    for (const bad of [
      ['MaxResults', '0'],
      ['MaxResults', '101'],
      ['MaxResults', 'ten'],
      ['NextToken', 'not-a-token'],
    ] as Pairs) {
      expect(call('DescribeInstances', [bad])).toMatchObject({
        status: 400,
        error: 'InvalidParameter',
      });
    }
  });

  it('matches InstanceName fuzzily, Status and tags exactly, and lists only the region', () => {
    const { sim, call } = setup();
    const add = (instanceId: string, name: string, extra = {}) =>
      sim.addInstance({ instanceId, region: 'cn-beijing', name, ...extra });
    add('i-1', 'web-01', { tags: [{ key: 'env', value: 'prod' }] });
    add('i-2', 'Staging-WEB-02', { tags: [{ key: 'env', value: 'staging' }] });
    add('i-3', 'db-primary', { status: 'STOPPED', tags: [{ key: 'env', value: 'prod' }] });
    sim.addInstance({ instanceId: 'i-4', region: 'cn-shanghai', name: 'web-sh-01' });
    expect(namesOf(call('DescribeInstances', [['InstanceName', 'WEB']]))).toEqual([
      'web-01',
      'Staging-WEB-02',
    ]);
    expect(namesOf(call('DescribeInstances', [['Status', 'STOPPED']]))).toEqual(['db-primary']);
    const prod: Pairs = [
      ['TagFilters.1.Key', 'env'],
      ['TagFilters.1.Values.1', 'prod'],
    ];
    expect(namesOf(call('DescribeInstances', prod))).toEqual(['web-01', 'db-primary']);
    expect(namesOf(call('DescribeInstances', [], 'cn-shanghai'))).toEqual(['web-sh-01']);
  });

  it('looks ids up exactly: absent ids and ids of another region are simply not listed', () => {
    const { sim, call } = setup();
    sim.addInstance({ instanceId: 'i-a', region: 'cn-beijing', keyPairName: 'old-key' });
    sim.addInstance({ instanceId: 'i-b', region: 'cn-beijing' });
    sim.addInstance({ instanceId: 'i-sh', region: 'cn-shanghai' });
    const found = call('DescribeInstances', ids(['i-b', 'i-nope', 'i-sh', 'i-a']));
    expect(instancesOf(found).map((i) => i.InstanceId)).toEqual(['i-a', 'i-b']);
    expect(instancesOf(found)[0]).toMatchObject({
      Status: 'RUNNING',
      OsType: 'Linux',
      KeyPairName: 'old-key',
      KeyPairId: expect.stringMatching(/^kp-/),
      ZoneId: 'cn-beijing-a',
      Tags: [],
    });
    expect(instancesOf(found)[1]).toMatchObject({ KeyPairName: '', KeyPairId: '' });
    const many = ids(Array.from({ length: 101 }, (_, i) => `i-${i}`));
    expect(call('DescribeInstances', many)).toMatchObject({
      status: 400,
      error: 'InvalidParameter',
    });
  });

  it('materialises unknown ids on sight by the policy, never ids removed on purpose', () => {
    const { sim, call } = setup({
      materialiseInstance: (instanceId, region) =>
        instanceId.startsWith('i-')
          ? { instanceId, region, name: `auto ${instanceId}` }
          : undefined,
    });
    sim.addInstance({ instanceId: 'i-gone', region: 'cn-beijing' });
    sim.removeInstance('i-gone');
    const found = call('DescribeInstances', ids(['i-new', 'x-other', 'i-gone']), 'cn-shanghai');
    expect(namesOf(found)).toEqual(['auto i-new']);
    expect(sim.instance('i-new')?.region).toBe('cn-shanghai');
    expect(sim.instance('i-gone')).toBeUndefined();
  });
});

describe('ECS simulator: DescribeKeyPairs', () => {
  it('filters by exact names and ids, a fuzzy name and the region', () => {
    const { sim, call } = setup();
    sim.addKeyPair({ keyPairId: 'kp-1', keyPairName: 'Ops-Key', description: 'ops' });
    sim.addKeyPair({ keyPairId: 'kp-2', keyPairName: 'deploy-key' });
    sim.addKeyPair({ keyPairId: 'kp-3', keyPairName: 'sh-only', region: 'cn-shanghai' });
    const names = (params: Pairs, region?: string) =>
      (
        call('DescribeKeyPairs', params, region).result.KeyPairs as Array<Record<string, unknown>>
      ).map((k) => k.KeyPairName);
    expect(names([])).toEqual(['Ops-Key', 'deploy-key']);
    expect(names([], 'cn-shanghai')).toEqual(['Ops-Key', 'deploy-key', 'sh-only']);
    expect(names([['KeyPairName', 'KEY']])).toEqual(['Ops-Key', 'deploy-key']);
    expect(names([['KeyPairNames.1', 'ops-key']])).toEqual([]);
    expect(names([['KeyPairNames.1', 'Ops-Key']])).toEqual(['Ops-Key']);
    expect(names([['KeyPairIds.1', 'kp-2']])).toEqual(['deploy-key']);
    const [first] = call('DescribeKeyPairs', [['KeyPairIds.1', 'kp-1']]).result.KeyPairs as Array<
      Record<string, unknown>
    >;
    expect(first).toMatchObject({
      KeyPairId: 'kp-1',
      Description: 'ops',
      FingerPrint: expect.stringMatching(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/),
      ProjectName: 'default',
    });
    expect(call('DescribeKeyPairs', [['MaxResults', '1']]).result.NextToken).not.toBe('');
  });

  it('materialises a key pair on an exact lookup only', () => {
    const { call } = setup({
      materialiseKeyPair: (ref) =>
        ref.keyPairName?.includes('missing') ? undefined : { keyPairName: ref.keyPairName ?? '' },
    });
    expect(call('DescribeKeyPairs', [['KeyPairName', 'fuzzy']]).result.KeyPairs).toEqual([]);
    expect(call('DescribeKeyPairs', [['KeyPairNames.1', 'missing-one']]).result.KeyPairs).toEqual(
      [],
    );
    const found = call('DescribeKeyPairs', [['KeyPairNames.1', 'alice']]).result.KeyPairs;
    expect(found).toEqual([expect.objectContaining({ KeyPairName: 'alice' })]);
  });
});

describe('ECS simulator: AttachKeyPair and DetachKeyPair', () => {
  function fleet() {
    const s = setup();
    const add = (instanceId: string, extra = {}) =>
      s.sim.addInstance({ instanceId, region: 'cn-beijing', ...extra });
    add('i-ok');
    add('i-stopped', { status: 'STOPPED' });
    add('i-win', { osType: 'Windows' });
    add('i-noagent', { passwordAgent: false });
    add('i-stopping', { status: 'STOPPING' });
    add('i-forced');
    add('i-old', { keyPairName: 'old-key' });
    s.sim.addKeyPair({ keyPairId: 'kp-new', keyPairName: 'new-key' });
    s.sim.failInstance('i-forced', 'FlowLimitExceeded');
    return s;
  }
  const attach = (list: string[], key: Pairs = [['KeyPairName', 'new-key']]): Pairs => [
    ...ids(list),
    ...key,
  ];

  it('checks each instance, binds the rest and replaces an earlier key', () => {
    const { sim, call } = fleet();
    const all = ['i-ok', 'i-stopped', 'i-win', 'i-noagent', 'i-stopping', 'i-forced', 'i-old'];
    const r = call('AttachKeyPair', attach([...all, 'i-absent']));
    expect(r.status).toBe(200);
    expect(r.outcomes).toEqual({
      'i-ok': 'ok',
      'i-stopped': 'ok',
      'i-win': 'InvalidKeyPairForWindows.Unsupported',
      'i-noagent': 'InvalidResetAuthenticationAgent.NotFound',
      'i-stopping': 'InvalidInstanceStatus',
      'i-forced': 'FlowLimitExceeded',
      'i-old': 'ok',
      'i-absent': 'InvalidInstance.NotFound',
    });
    expect(sim.instance('i-old')).toMatchObject({ keyPairId: 'kp-new', keyPairName: 'new-key' });
    expect(sim.instance('i-win')?.keyPairId).toBeUndefined();
    expect(sim.applications).toHaveLength(1);
    expect(sim.applications[0]?.changed).toEqual(['i-ok', 'i-stopped', 'i-old']);
    expect(sim.timesChanged('AttachKeyPair', 'i-ok')).toBe(1);
  });

  it('lets KeyPairId win and refuses an unknown key pair with 404', () => {
    const { sim, call } = fleet();
    const r = call(
      'AttachKeyPair',
      attach(
        ['i-ok'],
        [
          ['KeyPairName', 'no-such-key'],
          ['KeyPairId', 'kp-new'],
        ],
      ),
    );
    expect(r.outcomes).toEqual({ 'i-ok': 'ok' });
    expect(call('AttachKeyPair', attach(['i-ok'], [['KeyPairId', 'kp-nope']]))).toMatchObject({
      status: 404,
      error: 'InvalidKeyPair.NotFound',
    });
    expect(sim.applications).toHaveLength(1);
  });

  it('detaches only the key pair that is bound', () => {
    const { sim, call } = fleet();
    call('AttachKeyPair', attach(['i-ok', 'i-stopped']));
    sim.setStatus('i-stopped', 'STARTING');
    const r = call('DetachKeyPair', attach(['i-ok', 'i-old', 'i-stopped', 'i-absent']));
    expect(r.outcomes).toEqual({
      'i-ok': 'ok',
      'i-old': 'InvalidKeyPair.NotAttached',
      'i-stopped': 'InvalidInstanceStatus',
      'i-absent': 'InvalidInstance.NotFound',
    });
    expect(sim.instance('i-ok')?.keyPairId).toBeUndefined();
    expect(sim.instance('i-old')?.keyPairName).toBe('old-key');
    expect(sim.timesChanged('DetachKeyPair', 'i-ok')).toBe(1);
  });

  it('fails an instance for one action only when told so', () => {
    const { sim, call } = fleet();
    sim.failInstance('i-ok', 'InvalidInstanceStatus', undefined, 'DetachKeyPair');
    expect(call('AttachKeyPair', attach(['i-ok'])).outcomes).toEqual({ 'i-ok': 'ok' });
    expect(call('DetachKeyPair', attach(['i-ok'])).outcomes).toEqual({
      'i-ok': 'InvalidInstanceStatus',
    });
    sim.clearFailures('i-ok');
    expect(call('DetachKeyPair', attach(['i-ok'])).outcomes).toEqual({ 'i-ok': 'ok' });
  });
});

describe('ECS simulator: RebootInstances', () => {
  it('reboots RUNNING instances for rebootMs on the injected clock and refuses STOPPED', () => {
    const { sim, call, advance } = setup();
    sim.addInstance({ instanceId: 'i-run', region: 'cn-beijing' });
    sim.addInstance({ instanceId: 'i-slow', region: 'cn-beijing', rebootMs: 5_000 });
    sim.addInstance({ instanceId: 'i-off', region: 'cn-beijing', status: 'STOPPED' });
    const r = call('RebootInstances', [
      ...ids(['i-run', 'i-slow', 'i-off']),
      ['ForceStop', 'false'],
    ]);
    expect(r.outcomes).toEqual({ 'i-run': 'ok', 'i-slow': 'ok', 'i-off': 'InvalidInstanceStatus' });
    const status = () => sim.instances().map((i) => i.status);
    expect(status()).toEqual(['REBOOTING', 'REBOOTING', 'STOPPED']);
    // A second reboot while rebooting is refused.
    expect(call('RebootInstances', ids(['i-run'])).outcomes).toEqual({
      'i-run': 'InvalidInstanceStatus',
    });
    advance(999);
    expect(status()).toEqual(['REBOOTING', 'REBOOTING', 'STOPPED']);
    advance(1);
    const described = call('DescribeInstances', ids(['i-run', 'i-slow']));
    expect(instancesOf(described).map((i) => i.Status)).toEqual(['RUNNING', 'REBOOTING']);
    advance(4_000);
    expect(status()).toEqual(['RUNNING', 'RUNNING', 'STOPPED']);
    expect(sim.timesChanged('RebootInstances', 'i-run')).toBe(1);
    expect(sim.timesChanged('RebootInstances', 'i-off')).toBe(0);
  });

  it('with transitionsOutlastARead, shows a finished reboot as REBOOTING to the first read', () => {
    const { sim, call, advance } = setup({ transitionsOutlastARead: true });
    sim.addInstance({ instanceId: 'i-run', region: 'cn-beijing' });
    sim.addInstance({ instanceId: 'i-read', region: 'cn-beijing' });
    call('RebootInstances', ids(['i-run', 'i-read']));
    const statusOf = () =>
      instancesOf(call('DescribeInstances', ids(['i-run']))).map((i) => i.Status);
    // i-read is listed while its reboot runs; i-run is not read before its reboot is over.
    expect(instancesOf(call('DescribeInstances', ids(['i-read']))).map((i) => i.Status)).toEqual([
      'REBOOTING',
    ]);
    advance(5_000);
    expect(statusOf()).toEqual(['REBOOTING']);
    expect(statusOf()).toEqual(['RUNNING']);
    expect(instancesOf(call('DescribeInstances', ids(['i-read']))).map((i) => i.Status)).toEqual([
      'RUNNING',
    ]);
  });

  it('lets a test script a status that changes by itself', () => {
    const { sim, advance } = setup();
    sim.addInstance({ instanceId: 'i-1', region: 'cn-beijing', status: 'STOPPED' });
    sim.setStatus('i-1', 'STARTING', { ms: 500, becomes: 'RUNNING' });
    expect(sim.instance('i-1')?.status).toBe('STARTING');
    advance(500);
    expect(sim.instance('i-1')?.status).toBe('RUNNING');
  });
});

describe('ECS simulator: ClientToken idempotency', () => {
  it('replays the stored answer for the same token and parameters, applying once', () => {
    const { sim, call } = setup();
    sim.addInstance({ instanceId: 'i-1', region: 'cn-beijing' });
    const params: Pairs = [...ids(['i-1']), ['KeyPairName', 'k'], ['ClientToken', 't-1']];
    sim.addKeyPair({ keyPairName: 'k' });
    const first = call('AttachKeyPair', params);
    const again = call('AttachKeyPair', [...params].reverse());
    expect(again.requestId).toBe(first.requestId);
    expect(again.answer.body).toEqual(first.answer.body);
    expect(again.answer.replayed).toBe(true);
    expect(sim.applications).toHaveLength(1);
    expect(sim.applications[0]?.replays).toBe(1);
    expect(sim.timesChanged('AttachKeyPair', 'i-1')).toBe(1);
  });

  it('refuses the same token with other parameters; tokens are per region and per action', () => {
    const { sim, call } = setup();
    for (const region of ['cn-beijing', 'cn-shanghai']) {
      sim.addInstance({ instanceId: `i-${region}`, region });
    }
    sim.addKeyPair({ keyPairName: 'k' });
    const token: Pairs = [['ClientToken', 't-1']];
    call('AttachKeyPair', [...ids(['i-cn-beijing']), ['KeyPairName', 'k'], ...token]);
    expect(
      call('AttachKeyPair', [...ids(['i-other']), ['KeyPairName', 'k'], ...token]),
    ).toMatchObject({ status: 400, error: 'IdempotentParameterMismatch' });
    const shanghai = call(
      'AttachKeyPair',
      [...ids(['i-cn-shanghai']), ['KeyPairName', 'k'], ...token],
      'cn-shanghai',
    );
    expect(shanghai.outcomes).toEqual({ 'i-cn-shanghai': 'ok' });
    expect(call('RebootInstances', [...ids(['i-cn-beijing']), ...token]).outcomes).toEqual({
      'i-cn-beijing': 'ok',
    });
    expect(sim.applications.map((a) => [a.action, a.region])).toEqual([
      ['AttachKeyPair', 'cn-beijing'],
      ['AttachKeyPair', 'cn-shanghai'],
      ['RebootInstances', 'cn-beijing'],
    ]);
  });

  it('applies every call without a token, each with its own RequestId', () => {
    const { sim, call } = setup();
    sim.addInstance({ instanceId: 'i-1', region: 'cn-beijing' });
    sim.addKeyPair({ keyPairName: 'k' });
    const params: Pairs = [...ids(['i-1']), ['KeyPairName', 'k']];
    const requestIds = [call('AttachKeyPair', params), call('AttachKeyPair', params)].map(
      (r) => r.requestId,
    );
    expect(new Set(requestIds).size).toBe(2);
    expect(sim.timesChanged('AttachKeyPair', 'i-1')).toBe(2);
  });

  it('lets a front end refuse a mutation before it applies', () => {
    const { sim, call } = setup({
      beforeMutation: (c) =>
        c.keyPair?.keyPairName === 'flaky'
          ? { status: 500, code: 'InternalError', message: 'try again' }
          : undefined,
    });
    sim.addInstance({ instanceId: 'i-1', region: 'cn-beijing' });
    sim.addKeyPair({ keyPairName: 'flaky' });
    const r = call('AttachKeyPair', [...ids(['i-1']), ['KeyPairName', 'flaky']]);
    expect(r).toMatchObject({ status: 500, error: 'InternalError' });
    expect(sim.applications).toHaveLength(0);
  });
});

describe('ECS simulator: request validation', () => {
  it('answers the documented request-level codes', () => {
    const { sim, call } = setup();
    sim.addKeyPair({ keyPairName: 'k' });
    const key: Pairs = [['KeyPairName', 'k']];
    const hundredOne = ids(Array.from({ length: 101 }, (_, i) => `i-${i}`));
    const cases: Array<[string, Pairs, number, string]> = [
      ['AttachKeyPair', key, 400, 'MissingParameter.InstanceIds'],
      ['DetachKeyPair', [...hundredOne, ...key], 400, 'LimitExceeded.MaximumInstanceIds'],
      ['AttachKeyPair', ids(['i-1']), 400, 'MissingParameter.KeyPairNameAndKeyPairId'],
      ['DetachKeyPair', ids(['i-1']), 400, 'MissingParameter.KeyPairNameAndKeyPairId'],
      [
        'AttachKeyPair',
        [...ids(['i-1']), ...key, ['ClientToken', 'x'.repeat(65)]],
        400,
        'InvalidClientToken.Malformed',
      ],
      ['RebootInstances', [], 400, 'MissingParameter.InstanceIds'],
      ['RebootInstances', [...ids(['i-1']), ['ForceStop', 'maybe']], 400, 'InvalidParameter'],
      [
        'RebootInstances',
        [...ids(['i-1']), ['ClientToken', 'jeton-é']],
        400,
        'InvalidClientToken.Malformed',
      ],
      ['DeleteInstances', ids(['i-1']), 404, 'InvalidActionOrVersion'],
    ];
    for (const [action, params, status, error] of cases) {
      expect(call(action, params)).toMatchObject({ status, error });
    }
    const old = sim.handle({
      action: 'DescribeInstances',
      version: '2019-01-01',
      region: 'x',
      params: [],
    });
    expect(old.status).toBe(404);
    expect(old.body.ResponseMetadata).toMatchObject({
      Action: 'DescribeInstances',
      Version: '2019-01-01',
      Service: 'ecs',
      Region: 'x',
      Error: { Code: 'InvalidActionOrVersion' },
    });
    expect(sim.applications).toHaveLength(0);
  });

  it('gives every answer its own RequestId, from the front end when it wants', () => {
    const { call } = setup({ requestId: (n) => `req-${n}` });
    expect(
      [call('DescribeInstances'), call('Nope'), call('DescribeKeyPairs')].map((r) => r.requestId),
    ).toEqual(['req-1', 'req-2', 'req-3']);
  });
});
