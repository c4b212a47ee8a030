import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot, KeyPairInfo } from '../../src/domain/request.js';
import type { EcsApi } from '../../src/service/ports.js';
import { createInstanceSearch } from '../../src/slack/pickers/instance-search.js';
import { createKeyPairSearch } from '../../src/slack/pickers/key-pair-search.js';
import { createLookups } from '../../src/slack/pickers/lookups.js';

// The pickers' cache and searches against an in-memory ECS that counts its calls and can be
// made slow or refusing.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fleet(n: number): InstanceSnapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    instanceId: `i-${i.toString(36).padStart(6, '0')}fleet`,
    name: `svc-${i % 7 === 0 ? 'db' : 'web'}-${i}`,
    status: 'RUNNING',
    osType: 'Linux',
    tags: [],
  }));
}

function fakeEcs(instances: InstanceSnapshot[], keyPairs: KeyPairInfo[] = []) {
  const calls: string[] = [];
  let delayMs = 0;
  let refuse: string | undefined;
  const answer = async <T>(what: string, value: () => T): Promise<T> => {
    calls.push(what);
    if (delayMs) await sleep(delayMs);
    if (refuse) throw Object.assign(new Error(refuse), { code: refuse });
    return value();
  };
  const ecs: Pick<EcsApi, 'describeInstancesPage' | 'suggestKeyPairs'> = {
    describeInstancesPage: (q) =>
      answer(q.instanceIds ? 'ids' : q.instanceName ? `name:${q.instanceName}` : 'page', () => {
        if (q.instanceIds) {
          return {
            requestId: 'r',
            instances: instances.filter((i) => q.instanceIds?.includes(i.instanceId)),
          };
        }
        const found = instances.filter((i) => !q.instanceName || i.name.includes(q.instanceName));
        const start = Number(q.nextToken ?? 0);
        const end = start + (q.maxResults ?? 10);
        return {
          requestId: 'r',
          instances: found.slice(start, end),
          ...(end < found.length ? { nextToken: String(end) } : {}),
        };
      }),
    suggestKeyPairs: (q) =>
      answer(`keys:${q.text}`, () =>
        keyPairs.filter((k) => k.keyPairName.includes(q.text)).slice(0, q.limit),
      ),
  };
  return {
    ecs,
    calls,
    slow: (ms: number) => {
      delayMs = ms;
    },
    refuse: (code: string | undefined) => {
      refuse = code;
    },
  };
}

const lookups = () =>
  createLookups({ ttlMs: 30_000, failureTtlMs: 5_000, maxEntries: 100, maxInFlight: 4 });

describe('lookups', () => {
  it('joins a second ask for the same key, caches the answer, and stops waiting at the deadline', async () => {
    const l = lookups();
    let calls = 0;
    const call = async () => {
      calls += 1;
      await sleep(60);
      return calls;
    };
    const [late, joined] = await Promise.all([l.get('k', call, 10), l.get('k', call, 200)]);
    expect(late).toEqual({ state: 'late' });
    expect(joined).toEqual({ state: 'ok', value: 1 });
    expect(await l.get('k', call, 0)).toEqual({ state: 'ok', value: 1 });
    expect(calls).toBe(1);
  });

  it('remembers a refusal briefly, bounds calls in flight, and evicts the oldest entries', async () => {
    let now = 0;
    const l = createLookups({
      now: () => now,
      ttlMs: 100,
      failureTtlMs: 10,
      maxEntries: 2,
      maxInFlight: 1,
    });
    const refuse = async () => {
      throw Object.assign(new Error('no'), { code: 'AccessDenied' });
    };
    expect(await l.get('a', refuse, 50)).toEqual({ state: 'failed', code: 'AccessDenied' });
    expect(await l.get('a', async () => 1, 50)).toEqual({ state: 'failed', code: 'AccessDenied' });
    now = 11;
    expect(await l.get('a', async () => 1, 50)).toEqual({ state: 'ok', value: 1 });
    const slow = l.get('b', () => sleep(30).then(() => 2), 0);
    expect(await l.get('c', async () => 3, 50)).toEqual({ state: 'busy' });
    expect(await slow).toEqual({ state: 'late' });
    await l.idle();
    await l.get('c', async () => 3, 50);
    expect(l.peek('a')).toBeUndefined();
    expect(l.peek('b')).toBe(2);
    now = 200;
    expect(l.peek('b')).toBeUndefined();
  });
});

describe('instance search', () => {
  it('lists a region in the background and answers prefixes, names and whole ids from it', async () => {
    const all = fleet(450);
    const cloud = fakeEcs(all);
    const search = createInstanceSearch({ ecs: cloud.ecs, lookups: lookups() });
    const first = await search.search('cn-beijing', '', 1_000);
    expect(first.instances.length).toBeGreaterThan(0);
    await search.idle();
    expect(cloud.calls.filter((c) => c === 'page')).toHaveLength(5);

    const prefix = await search.search('cn-beijing', 'i-00001', 1_000);
    expect(prefix.hints).toEqual([]);
    expect(prefix.instances.map((i) => i.instanceId)).toEqual(
      all.filter((i) => i.instanceId.startsWith('i-00001')).map((i) => i.instanceId),
    );
    const byName = await search.search('cn-beijing', 'DB-7', 1_000);
    expect(byName.instances[0]?.name).toBe('svc-db-7');
    const whole = await search.search('cn-beijing', all[300]?.instanceId ?? '', 1_000);
    expect(whole.instances[0]?.instanceId).toBe(all[300]?.instanceId);
    // A complete listing answers all three without a call, and the same text again at once.
    expect(cloud.calls.filter((c) => c !== 'page')).toEqual([]);
    expect(await search.search('cn-beijing', 'DB-7', 1_000)).toBe(byName);

    const every = await search.search('cn-beijing', 'svc', 1_000);
    expect(every.instances).toHaveLength(100);
    expect(every.hints).toEqual([{ kind: 'more', shown: 99 }]);
  });

  it('while listing: searches names in the cloud, says how far the listing got', async () => {
    const cloud = fakeEcs(fleet(1_000));
    cloud.slow(20);
    const search = createInstanceSearch({ ecs: cloud.ecs, lookups: lookups() });
    search.warm('cn-beijing');
    await sleep(50);
    const named = await search.search('cn-beijing', 'db-70', 1_000);
    expect(cloud.calls).toContain('name:db-70');
    expect(named.instances.map((i) => i.name)).toContain('svc-db-707');
    expect(named.hints).toEqual([]);
    const prefix = await search.search('cn-beijing', 'i-0000', 1_000);
    expect(prefix.hints[0]).toMatchObject({ kind: 'listing' });
    search.close();
    await search.idle();
  });

  it('answers a slow cloud within the deadline with a hint, and caches the late answer', async () => {
    const cloud = fakeEcs(fleet(50));
    cloud.slow(300);
    const search = createInstanceSearch({ ecs: cloud.ecs, lookups: lookups() });
    const started = Date.now();
    const slow = await search.search('cn-shanghai', 'web-1', 100);
    expect(Date.now() - started).toBeLessThan(250);
    expect(slow.hints[0]).toEqual({ kind: 'slow' });
    await sleep(350);
    const again = await search.search('cn-shanghai', 'web-1', 100);
    expect(again.instances.map((i) => i.name)).toContain('svc-web-1');
    await search.idle();
  });

  it('says when the cloud refuses, and stops listing at the cap', async () => {
    const cloud = fakeEcs(fleet(500));
    cloud.refuse('AccessDenied');
    const refused = createInstanceSearch({ ecs: cloud.ecs, lookups: lookups() });
    expect((await refused.search('cn-beijing', 'web', 200)).hints[0]).toEqual({
      kind: 'refused',
      code: 'AccessDenied',
    });
    await refused.idle();
    cloud.refuse(undefined);
    const capped = createInstanceSearch({ ecs: cloud.ecs, lookups: lookups(), maxListed: 200 });
    capped.warm('cn-beijing');
    await capped.idle();
    const prefix = await capped.search('cn-beijing', 'i-', 200);
    expect(prefix.hints[0]).toEqual({ kind: 'truncated', listed: 200 });
  });
});

describe('key pair search', () => {
  const keys = ['ops', 'deploy', 'ops-legacy'].map((name) => ({
    keyPairId: `kp-${name}`,
    keyPairName: name,
    fingerprint: 'aa:bb',
  }));

  it('answers from the whole region list once it is known', async () => {
    const cloud = fakeEcs([], keys);
    const search = createKeyPairSearch({ ecs: cloud.ecs, lookups: lookups() });
    expect((await search.search('cn-beijing', '', 500)).keyPairs).toHaveLength(3);
    expect(
      (await search.search('cn-beijing', 'OPS', 500)).keyPairs.map((k) => k.keyPairName),
    ).toEqual(['ops', 'ops-legacy']);
    expect(cloud.calls).toEqual(['keys:']);
  });

  it('says the cloud is slow, with what is known', async () => {
    const cloud = fakeEcs([], keys);
    cloud.slow(200);
    const search = createKeyPairSearch({ ecs: cloud.ecs, lookups: lookups() });
    const slow = await search.search('cn-beijing', 'dep', 50);
    expect(slow).toEqual({ keyPairs: [], hints: [{ kind: 'slow' }] });
  });
});
