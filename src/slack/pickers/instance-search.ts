import type { InstanceSnapshot } from '../../domain/request.js';
import type { EcsApi } from '../../service/ports.js';
import { cloudHint, dedupe, rank, settleWithin } from './answers.js';
import { errorCode, type Lookup, type Lookups, TIMEOUT, withDeadline } from './lookups.js';
import { type InstanceMatches, MAX_OPTIONS, type PickerHint } from './matches.js';

// Instance search for the picker, for a region of thousands of instances and an SRE who types
// part of a name or the start of an id:
// - A name goes to DescribeInstances' InstanceName filter (fuzzy), one page of 100.
// - The API cannot search an id prefix (InstanceIds are exact), so each region is listed in the
//   background, page by page (one call at a time, at most `maxListings` regions at once, up to
//   `maxListed` instances), and kept for `listingTtlMs`; prefixes match against that listing,
//   and answer with what is listed so far while it is still being read.
// - A whole id not in the listing is looked up exactly (a new instance, or one past the cap).
// - A complete, fresh listing answers names too, without a call.
// Cloud calls go through the shared Lookups (cached, joined, bounded); an answer never waits
// longer than the caller's `waitMs`, and says with a hint what it could not cover.

const WHOLE_ID = /^i-[a-z0-9]{4,40}$/;
const PAGE = 100;
const ANSWER_MEMO_MS = 30_000;
const ANSWER_FRESH_MS = 5_000;
const MAX_ANSWERS = 1_000;
const CLOUD_TROUBLE: ReadonlySet<PickerHint['kind']> = new Set(['slow', 'busy', 'refused']);

interface Answer {
  at: number;
  listing: Listing | undefined;
  listed: number;
  loading: boolean;
  matches: InstanceMatches;
}

export interface InstanceSearchOptions {
  ecs: Pick<EcsApi, 'describeInstancesPage'>;
  lookups: Lookups;
  now?: () => number;
  /** How long a complete listing is used before it is read again (on the next search). */
  listingTtlMs?: number;
  /** After a listing failed, how long before another is tried. */
  listingRetryMs?: number;
  maxListed?: number;
  /** A listing page that takes longer stops the listing (it is a background read). */
  pageDeadlineMs?: number;
  maxListings?: number;
  onListingFailed?: (region: string, code: string) => void;
}

interface Listing {
  items: InstanceSnapshot[];
  /** items' names, lower-cased once. */
  names: string[];
  ids: Set<string>;
  /** Read to its last page. */
  complete: boolean;
  /** Stopped at maxListed. */
  truncated: boolean;
  failed?: string;
  endedAt?: number;
  /** Settles once the first page is in (or the listing ended without one). */
  firstPage: Promise<void>;
}

interface RegionState {
  serving?: Listing;
  loading?: Listing;
  retryAt: number;
}

export interface InstanceSearch {
  search(region: string, text: string, waitMs: number): Promise<InstanceMatches>;
  /** Starts (or refreshes) the region's listing in the background. */
  warm(region: string): void;
  /** Resolves when no listing is being read. */
  idle(): Promise<void>;
  /** No new listing starts, and running ones stop at their next page. */
  close(): void;
}

export function createInstanceSearch(options: InstanceSearchOptions): InstanceSearch {
  const { ecs, lookups } = options;
  const now = options.now ?? Date.now;
  const ttl = options.listingTtlMs ?? 120_000;
  const retryMs = options.listingRetryMs ?? 15_000;
  const maxListed = options.maxListed ?? 20_000;
  const pageDeadlineMs = options.pageDeadlineMs ?? 5_000;
  const maxListings = options.maxListings ?? 2;
  const regions = new Map<string, RegionState>();
  const reading = new Set<Promise<void>>();
  let closed = false;

  const stateOf = (region: string): RegionState => {
    let state = regions.get(region);
    if (!state) {
      state = { retryAt: 0 };
      regions.set(region, state);
    }
    return state;
  };

  function warm(region: string): void {
    const state = stateOf(region);
    const serving = state.serving;
    const usable = serving && !serving.failed && (serving.endedAt ?? 0) + ttl > now();
    const busy = reading.size >= maxListings || now() < state.retryAt;
    if (closed || state.loading || usable || busy) return;
    let firstIn = () => {};
    const listing: Listing = {
      items: [],
      names: [],
      ids: new Set(),
      complete: false,
      truncated: false,
      firstPage: new Promise<void>((resolve) => {
        firstIn = resolve;
      }),
    };
    state.loading = listing;
    const job = list(region, listing, firstIn).finally(() => {
      reading.delete(job);
      firstIn();
      listing.endedAt = now();
      state.loading = undefined;
      // A failed listing replaces a stale complete one only when it got further.
      const kept = state.serving;
      if (!listing.failed || !kept || kept.items.length <= listing.items.length) {
        state.serving = listing;
      }
      if (listing.failed) {
        state.retryAt = now() + retryMs;
        options.onListingFailed?.(region, listing.failed);
      }
    });
    reading.add(job);
  }

  async function list(region: string, listing: Listing, firstIn: () => void): Promise<void> {
    let nextToken: string | undefined;
    const maxPages = Math.ceil(maxListed / PAGE) + 10;
    try {
      for (let page = 0; page < maxPages && !closed; page++) {
        const answer = await withDeadline(
          ecs.describeInstancesPage({
            region,
            maxResults: PAGE,
            ...(nextToken ? { nextToken } : {}),
          }),
          pageDeadlineMs,
        );
        for (const instance of answer.instances) {
          if (listing.ids.has(instance.instanceId)) continue;
          listing.ids.add(instance.instanceId);
          listing.items.push(instance);
          listing.names.push(instance.name.toLowerCase());
        }
        firstIn();
        if (!answer.nextToken) {
          listing.complete = true;
          return;
        }
        if (listing.items.length >= maxListed) {
          listing.truncated = true;
          return;
        }
        nextToken = answer.nextToken;
      }
      listing.failed = closed ? 'Closed' : 'PagingStopped';
    } catch (error) {
      listing.failed = errorCode(error);
    }
  }

  // A whole answer is reused for 5 s, or 30 s while nothing it was made from changed (the same
  // listing, read as far); never one with cloud trouble (a late answer may be cached by now).
  const answers = new Map<string, Answer>();
  async function search(region: string, text: string, waitMs: number): Promise<InstanceMatches> {
    const key = `${region}\n${text.trim().toLowerCase()}`;
    const state = stateOf(region);
    const basis = () => {
      const listing = state.serving ?? state.loading;
      return { listing, listed: listing?.items.length ?? 0, loading: state.loading !== undefined };
    };
    const memo = answers.get(key);
    const current = basis();
    const unchanged =
      memo?.listing === current.listing &&
      memo?.listed === current.listed &&
      memo?.loading === current.loading;
    // While a listing grows, an answer a few seconds old is still good to retype against.
    const age = memo ? now() - memo.at : Number.POSITIVE_INFINITY;
    if (memo && (age < ANSWER_FRESH_MS || (unchanged && age < ANSWER_MEMO_MS))) {
      warm(region);
      return memo.matches;
    }
    const matches = await compute(region, text, waitMs);
    answers.delete(key);
    if (!matches.hints.some((h) => CLOUD_TROUBLE.has(h.kind))) {
      answers.set(key, { ...basis(), at: now(), matches });
      for (const old of answers.keys()) {
        if (answers.size <= MAX_ANSWERS) break;
        answers.delete(old);
      }
    }
    return matches;
  }

  async function compute(region: string, text: string, waitMs: number): Promise<InstanceMatches> {
    const started = now();
    const left = () => Math.max(0, waitMs - (now() - started));
    const query = text.trim();
    const lower = query.toLowerCase();
    warm(region);
    const state = stateOf(region);
    const loading = state.loading;
    if (!state.serving && loading) await settleWithin(loading.firstPage, left());
    const listing = state.serving ?? state.loading;
    const listed = listing?.items ?? [];

    let local: InstanceSnapshot[];
    let cloud: Lookup<InstanceSnapshot[]> | undefined;
    const byPrefix = lower.startsWith('i-');
    if (byPrefix) {
      local = listed.filter((i) => i.instanceId.startsWith(lower));
      // Looks like a whole id, is not listed, and the listing cannot say it is only a prefix.
      const unlisted = !local.some((i) => i.instanceId === lower);
      if (WHOLE_ID.test(lower) && unlisted && (!listing?.complete || local.length === 0)) {
        cloud = await lookups.get(
          `instance-id\n${region}\n${lower}`,
          async () => (await ecs.describeInstancesPage({ region, instanceIds: [lower] })).instances,
          left(),
        );
      }
    } else {
      local = lower
        ? listed.filter(
            (i, n) => listing?.names[n]?.includes(lower) || i.instanceId.includes(lower),
          )
        : listed;
      if (lower && !listing?.complete) {
        cloud = await lookups.get(
          `instance-name\n${region}\n${lower}`,
          async () =>
            (await ecs.describeInstancesPage({ region, instanceName: query, maxResults: PAGE }))
              .instances,
          left(),
        );
      }
    }

    const found = cloud?.state === 'ok' ? cloud.value : [];
    const instances = rank(dedupe([...found, ...local]), lower);
    const hints: PickerHint[] = [];
    if (cloud && cloud.state !== 'ok') hints.push(cloudHint(cloud));
    // The listing matters where neither the cloud nor an exact id answered the search.
    const exact = instances[0]?.instanceId === lower;
    const namesAnswered = !byPrefix && cloud?.state === 'ok';
    if (!namesAnswered && !exact) {
      const listingHint = describeListing(listing, listed.length, state.loading !== undefined);
      if (listingHint) hints.push(listingHint);
    }
    if (instances.length > MAX_OPTIONS) hints.push({ kind: 'more', shown: MAX_OPTIONS - 1 });
    return { instances: instances.slice(0, MAX_OPTIONS), hints };
  }

  return {
    search,
    warm,
    async idle() {
      while (reading.size) await Promise.allSettled([...reading]);
    },
    close() {
      closed = true;
    },
  };
}

function describeListing(
  listing: Listing | undefined,
  listed: number,
  loading: boolean,
): PickerHint | undefined {
  if (!listing) return loading ? { kind: 'slow' } : undefined;
  if (listing.complete) return undefined;
  if (listing.truncated) return { kind: 'truncated', listed };
  if (loading && !listing.failed) return { kind: 'listing', listed };
  if (listing.failed === TIMEOUT) return { kind: 'slow' };
  return listing.failed ? { kind: 'refused', code: listing.failed } : undefined;
}
