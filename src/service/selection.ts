import type { InstanceSnapshot, ReadError, Selector } from '../domain/request.js';
import { matchesSelectors, type SelectionFilters, selectionFilters } from '../domain/selectors.js';
import { type EcsApi, type InstancePage, toStepError } from './ports.js';

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
  const asked: Asked = { selectors: input.selectors, region: input.region };
  const named = await nameOfHeldKeyPair(ecs, input);
  if ('refusal' in named) return { ok: false, refusal: named.refusal };
  const filters = selectionFilters(input.selectors, named.name);
  const read = await readMatching(ecs, input, filters);
  if ('error' in read) {
    return { ok: false, refusal: failed('DescribeInstances', read.error, asked) };
  }
  const { matched, listed, total, pages } = read;
  if (pages > MAX_SELECTION_PAGES) {
    const refusal: SelectionRefusal = {
      reason: 'selection_unbounded',
      pages: MAX_SELECTION_PAGES,
      listed: listed.size,
      ...asked,
    };
    return { ok: false, refusal };
  }
  if (matched.size > input.limit) {
    // Exact server-side filters (tags only): the API's count is the selection's size.
    const exact =
      filters.keyPairName === undefined && input.selectors.every((s) => s.kind === 'tag');
    const refusal: SelectionRefusal = {
      reason: 'selection_too_many',
      count: matched.size,
      complete: read.complete,
      ...(exact && total !== undefined && total > matched.size ? { total } : {}),
      limit: input.limit,
      ...asked,
    };
    return { ok: false, refusal };
  }
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

interface Matching {
  /** The instances every selector holds for, exactly, in the API's order. */
  matched: Map<string, InstanceSnapshot>;
  /** Every instance the answers listed. */
  listed: Set<string>;
  /** The API's TotalCount (first page). */
  total: number | undefined;
  /** Pages read; MAX_SELECTION_PAGES + 1 when the API was still paging after the last allowed. */
  pages: number;
  /** Every page was read. */
  complete: boolean;
}

/**
 * Pages through DescribeInstances with the filters, one page after another, keeping what matches
 * exactly; stops early once more than `limit` match or the page bound is passed.
 */
async function readMatching(
  ecs: Pick<EcsApi, 'describeInstancesPage'>,
  input: Asked & { limit: number },
  filters: SelectionFilters,
): Promise<Matching | { error: unknown }> {
  const found: Matching = {
    matched: new Map(),
    listed: new Set(),
    total: undefined,
    pages: 0,
    complete: false,
  };
  let nextToken: string | undefined;
  do {
    if (found.pages === MAX_SELECTION_PAGES) return { ...found, pages: found.pages + 1 };
    let page: InstancePage;
    try {
      page = await ecs.describeInstancesPage({
        region: input.region,
        ...(filters.tagFilters.length ? { tagFilters: filters.tagFilters } : {}),
        ...(filters.keyPairName ? { keyPairName: filters.keyPairName } : {}),
        maxResults: PAGE,
        ...(nextToken ? { nextToken } : {}),
      });
    } catch (error) {
      return { error };
    }
    found.pages += 1;
    found.total ??= page.totalCount;
    for (const instance of page.instances) {
      found.listed.add(instance.instanceId);
      if (!found.matched.has(instance.instanceId) && matchesSelectors(instance, input.selectors)) {
        found.matched.set(instance.instanceId, instance);
      }
    }
    nextToken = page.nextToken || undefined;
  } while (nextToken && found.matched.size <= input.limit);
  return { ...found, complete: nextToken === undefined };
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
