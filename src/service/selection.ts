import type { InstanceSnapshot, ReadError, Selector } from '../domain/request.js';
import { matchesSelectors, selectionFilters } from '../domain/selectors.js';
import { type EcsApi, toStepError } from './ports.js';

// Resolving `tag:` and `holding:` selectors at submit (issue 21): DescribeInstances with the
// server-side filters, paged with NextToken one page after another, every instance of every
// answer re-checked exactly (a fuzzy KeyPairName match never selects an instance). What it
// resolves to is frozen with the request; a selection that cannot be read is refused, never
// guessed. Facts and limits: shared/docs/volcengine.md §3.6 and §9.

/** DescribeInstances' largest page. */
const PAGE = 100;
/**
 * Pages read before giving up on an answer that never ends: 20,000 instances, as the pickers list.
 * `holding:none` and a fuzzy `holding:` filter may have to list many instances that do not match.
 */
export const MAX_SELECTION_PAGES = 200;
/** BytePlus documents that a tag query lists at most this many instances (volcengine.md §9). */
export const TAG_QUERY_CAP = 1_000;

interface Asked {
  selectors: Selector[];
  region: string;
}

export type SelectionRefusal =
  | ({ reason: 'selection_empty' } & Asked)
  /**
   * More than `limit` instances match. `count` is how many were found before reading stopped
   * (`complete`: every page was read); `total` is the API's TotalCount when its filters are exact.
   */
  | ({
      reason: 'selection_too_many';
      count: number;
      complete: boolean;
      total?: number;
      limit: number;
    } & Asked)
  /** The tag query hit the API's cap: `listed` were listed of `total` (unknown when not said). */
  | ({ reason: 'selection_capped'; listed: number; total?: number; cap: number } & Asked)
  /** The API kept paging past MAX_SELECTION_PAGES. */
  | ({ reason: 'selection_unbounded'; pages: number; listed: number } & Asked)
  /** A read failed: which action, and the API's (or the network's) error. */
  | ({
      reason: 'selection_failed';
      action: 'DescribeInstances' | 'DescribeKeyPairs';
      error: ReadError;
    } & Asked);

export type SelectionResult =
  | {
      ok: true;
      /** The matching instances, as read, in the API's order. */
      instances: InstanceSnapshot[];
      readAt: string;
      pages: number;
      /** Instances a filter returned that the exact re-check left out. */
      nearMisses: number;
    }
  | { ok: false; refusal: SelectionRefusal };

export async function resolveSelection(
  ecs: Pick<EcsApi, 'describeInstancesPage' | 'findKeyPair'>,
  input: Asked & { limit: number },
  now: () => Date,
): Promise<SelectionResult> {
  const { selectors, region, limit } = input;
  const asked: Asked = { selectors, region };
  const named = await nameOfHeldKeyPair(ecs, input);
  if ('refusal' in named) return { ok: false, refusal: named.refusal };
  const filters = selectionFilters(selectors, named.name);
  const matched = new Map<string, InstanceSnapshot>();
  const listed = new Set<string>();
  let nextToken: string | undefined;
  let total: number | undefined;
  let pages = 0;
  do {
    if (pages === MAX_SELECTION_PAGES) {
      const refusal: SelectionRefusal = {
        reason: 'selection_unbounded',
        pages,
        listed: listed.size,
        ...asked,
      };
      return { ok: false, refusal };
    }
    let page: Awaited<ReturnType<EcsApi['describeInstancesPage']>>;
    try {
      page = await ecs.describeInstancesPage({
        region,
        ...(filters.tagFilters.length ? { tagFilters: filters.tagFilters } : {}),
        ...(filters.keyPairName ? { keyPairName: filters.keyPairName } : {}),
        maxResults: PAGE,
        ...(nextToken ? { nextToken } : {}),
      });
    } catch (error) {
      return { ok: false, refusal: failed('DescribeInstances', error, asked) };
    }
    pages += 1;
    total ??= page.totalCount;
    for (const instance of page.instances) {
      listed.add(instance.instanceId);
      if (!matched.has(instance.instanceId) && matchesSelectors(instance, selectors)) {
        matched.set(instance.instanceId, instance);
      }
    }
    nextToken = page.nextToken || undefined;
    if (matched.size > limit) {
      // Exact server-side filters (tags only): the API's count is the selection's size.
      const exact = filters.keyPairName === undefined && selectors.every((s) => s.kind === 'tag');
      const refusal: SelectionRefusal = {
        reason: 'selection_too_many',
        count: matched.size,
        complete: nextToken === undefined,
        ...(exact && total !== undefined && total > matched.size ? { total } : {}),
        limit,
        ...asked,
      };
      return { ok: false, refusal };
    }
  } while (nextToken);

  if (filters.tagFilters.length && isCapped(listed.size, total)) {
    const refusal: SelectionRefusal = {
      reason: 'selection_capped',
      listed: listed.size,
      ...(total !== undefined ? { total } : {}),
      cap: TAG_QUERY_CAP,
      ...asked,
    };
    return { ok: false, refusal };
  }
  if (matched.size === 0) return { ok: false, refusal: { reason: 'selection_empty', ...asked } };
  return {
    ok: true,
    instances: [...matched.values()],
    readAt: now().toISOString(),
    pages,
    nearMisses: listed.size - matched.size,
  };
}

/**
 * The paging ended short of what the API counts, or (with no count) at the cap: instances beyond
 * the cap were never listed, so the selection is not known.
 */
function isCapped(listed: number, total: number | undefined): boolean {
  return total === undefined ? listed >= TAG_QUERY_CAP : listed < total;
}

/**
 * `holding:kp-…`: DescribeInstances filters by key pair name only, so the id's name is looked up
 * first. An id the region does not know filters on nothing: every instance is checked by id.
 */
async function nameOfHeldKeyPair(
  ecs: Pick<EcsApi, 'findKeyPair'>,
  input: Asked,
): Promise<{ name?: string } | { refusal: SelectionRefusal }> {
  const held = input.selectors.find((s) => s.kind === 'holding');
  if (held?.kind !== 'holding' || !held.keyPairId) return {};
  try {
    const found = await ecs.findKeyPair({ region: input.region, keyPairId: held.keyPairId });
    return found ? { name: found.keyPairName } : {};
  } catch (error) {
    return { refusal: failed('DescribeKeyPairs', error, input) };
  }
}

function failed(
  action: 'DescribeInstances' | 'DescribeKeyPairs',
  error: unknown,
  asked: Asked,
): SelectionRefusal {
  const { code, message } = toStepError(error);
  return { reason: 'selection_failed', action, error: { code, message }, ...asked };
}
