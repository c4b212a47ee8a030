import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot, Selector } from '../../src/domain/request.js';
import type { EcsApi, InstancePage } from '../../src/service/ports.js';
import { MAX_SELECTION_PAGES, resolveSelection } from '../../src/service/selection.js';

// Resolving selectors page by page (issue 21), against a scripted DescribeInstances: the stops and
// refusals that the loopback fake cannot easily provoke.

const now = () => new Date('2026-12-01T10:02:00.000Z');
const env: Selector = { kind: 'tag', key: 'env', value: 'prod' };

function snapshot(id: string, tags = [{ key: 'env', value: 'prod' }]): InstanceSnapshot {
  return { instanceId: id, name: id, status: 'RUNNING', osType: 'Linux', tags };
}

/** Pages of `perPage` from `all`, each with a NextToken while more remain; TotalCount as given. */
function pagedApi(
  all: InstanceSnapshot[],
  options: { perPage?: number; totalCount?: number } = {},
) {
  const calls: Array<Record<string, unknown>> = [];
  const perPage = options.perPage ?? 100;
  const ecs: Pick<EcsApi, 'describeInstancesPage' | 'findKeyPair'> = {
    async describeInstancesPage(query) {
      calls.push(query);
      const start = Number(query.nextToken ?? 0);
      const page: InstancePage = {
        requestId: `r${calls.length}`,
        instances: all.slice(start, start + perPage),
      };
      if (start + perPage < all.length) page.nextToken = String(start + perPage);
      if (options.totalCount !== undefined) page.totalCount = options.totalCount;
      return page;
    },
    findKeyPair: async () => undefined,
  };
  return { ecs, calls };
}

const ids = (n: number, tags?: InstanceSnapshot['tags']) =>
  Array.from({ length: n }, (_, i) => snapshot(`i-${String(i).padStart(6, '0')}`, tags));

describe('resolveSelection', () => {
  it('stops reading as soon as more than the limit match, saying the count is a lower bound', async () => {
    const { ecs, calls } = pagedApi(ids(450), { totalCount: 450 });
    const result = await resolveSelection(
      ecs,
      { selectors: [env], region: 'cn-beijing', limit: 150 },
      now,
    );
    expect(result).toEqual({
      ok: false,
      refusal: {
        reason: 'selection_too_many',
        count: 200,
        complete: false,
        total: 450,
        limit: 150,
        selectors: [env],
        region: 'cn-beijing',
      },
    });
    expect(calls).toHaveLength(2);
  });

  it('gives no API count for a fuzzy KeyPairName filter: it may count near misses', async () => {
    const held = ids(3).map((i) => ({ ...i, keyPairName: 'alice' }));
    const { ecs } = pagedApi(held, { totalCount: 9 });
    const selectors: Selector[] = [{ kind: 'holding', keyPairName: 'alice' }];
    const result = await resolveSelection(ecs, { selectors, region: 'r', limit: 2 }, now);
    expect(result).toMatchObject({
      ok: false,
      refusal: { reason: 'selection_too_many', count: 3 },
    });
    expect(result.ok || 'total' in result.refusal).toBe(false);
  });

  it('refuses a tag query that ends at 1,000 when the API gives no count', async () => {
    const { ecs } = pagedApi(ids(1_000));
    const result = await resolveSelection(
      ecs,
      { selectors: [env], region: 'r', limit: 5_000 },
      now,
    );
    expect(result).toMatchObject({
      ok: false,
      refusal: { reason: 'selection_capped', listed: 1_000, cap: 1_000 },
    });
    // With a count that says so, 1,000 is the whole selection.
    const counted = pagedApi(ids(1_000), { totalCount: 1_000 });
    const whole = await resolveSelection(
      counted.ecs,
      { selectors: [env], region: 'r', limit: 5_000 },
      now,
    );
    expect(whole.ok && whole.instances).toHaveLength(1_000);
  });

  it('gives up on an answer that keeps paging', async () => {
    const held = ids(30_000, []).map((i) => ({ ...i, keyPairName: 'x' }));
    const { ecs, calls } = pagedApi(held, { perPage: 100 });
    const selectors: Selector[] = [{ kind: 'holding' }];
    const result = await resolveSelection(ecs, { selectors, region: 'r', limit: 500 }, now);
    expect(result).toMatchObject({
      ok: false,
      refusal: { reason: 'selection_unbounded', pages: MAX_SELECTION_PAGES, listed: 20_000 },
    });
    expect(calls).toHaveLength(MAX_SELECTION_PAGES);
  });

  it('refuses a failed key pair lookup for holding:kp-…, naming DescribeKeyPairs', async () => {
    const { ecs } = pagedApi([]);
    ecs.findKeyPair = async () => {
      throw Object.assign(new Error('throttled'), { code: 'FlowLimitExceeded' });
    };
    const selectors: Selector[] = [{ kind: 'holding', keyPairId: 'kp-abcd1234' }];
    expect(await resolveSelection(ecs, { selectors, region: 'r', limit: 5 }, now)).toMatchObject({
      ok: false,
      refusal: {
        reason: 'selection_failed',
        action: 'DescribeKeyPairs',
        error: { code: 'FlowLimitExceeded', message: 'throttled' },
      },
    });
  });

  it('keeps each instance once and counts the near misses the re-check left out', async () => {
    const list = [
      snapshot('i-a'),
      snapshot('i-b', [{ key: 'env', value: 'prod-old' }]),
      snapshot('i-a'),
    ];
    const { ecs } = pagedApi(list, { perPage: 2 });
    const result = await resolveSelection(ecs, { selectors: [env], region: 'r', limit: 5 }, now);
    expect(result).toMatchObject({
      ok: true,
      pages: 2,
      nearMisses: 1,
      readAt: now().toISOString(),
    });
    expect(result.ok && result.instances.map((i) => i.instanceId)).toEqual(['i-a']);
  });
});
