import { audienceOf } from '../domain/audience.js';
import type { MutationRequest, OperationKind, RequestStatus } from '../domain/request.js';
import { CHILD_BLOCKING_STATUSES } from '../service/ports.js';
import type { HistoryFile } from './history-file.js';
import type { HistoryEntry } from './history-lines.js';
import type { LiveSet } from './live-set.js';
import { compareOldest, newest, type Ordered, orderKey } from './records.js';

// The lowdb store's listings, over its two places: the live set (small: what is not closed) and
// the history file's index (everything closed). A request in both is the live copy's.

/** A listed request: live (its value), or closed (its history entry, read on demand). */
function readAll(history: HistoryFile, top: Array<Ordered & Found>): Promise<MutationRequest[]> {
  return Promise.all(top.map((c) => ('value' in c ? c.value : history.read(c.entry))));
}

export function recentOf(
  live: LiveSet,
  history: HistoryFile,
  query: { limit: number; requesterId?: string },
): Promise<MutationRequest[]> {
  const { requesterId } = query;
  const candidates: Array<Ordered & Found> = [];
  for (const value of live.values()) {
    if (requesterId === undefined || value.requesterId === requesterId) {
      candidates.push({ ...orderKey(value), value });
    }
  }
  for (const entry of history.entries()) {
    if (requesterId !== undefined && entry.requesterId !== requesterId) continue;
    if (!live.has(entry.id)) candidates.push({ id: entry.id, createdMs: entry.createdMs, entry });
  }
  return readAll(history, newest(candidates, query.limit));
}

/**
 * What `history` shows a reader: the live set scanned (it is small), the history read through its
 * index, at most `limit` entries per key, so the cost follows the page, not the history's length.
 */
export function recentConcerningOf(
  live: LiveSet,
  history: HistoryFile,
  query: { keys: readonly string[]; limit: number },
): Promise<MutationRequest[]> {
  if (query.limit <= 0) return Promise.resolve([]);
  const keys = new Set(query.keys);
  const candidates: Array<Ordered & Found> = live
    .values()
    .filter((value) => audienceOf(value).some((key) => keys.has(key)))
    .map((value) => ({ ...orderKey(value), value }));
  const taken = new Set<string>();
  for (const key of keys) {
    let count = 0;
    for (const entry of history.newestWith(key)) {
      if (count === query.limit) break;
      if (live.has(entry.id)) continue;
      count++;
      if (taken.has(entry.id)) continue;
      taken.add(entry.id);
      candidates.push({ id: entry.id, createdMs: entry.createdMs, entry });
    }
  }
  return readAll(history, newest(candidates, query.limit));
}

export async function childrenOf(
  live: LiveSet,
  history: HistoryFile,
  parentId: string,
): Promise<MutationRequest[]> {
  const found = live.values().filter((r) => r.parentId === parentId);
  const entries = [...history.entries()].filter((e) => e.parentId === parentId && !live.has(e.id));
  found.push(...(await Promise.all(entries.map((e) => history.read(e)))));
  return sortOldest(found);
}

export function sortOldest(requests: MutationRequest[]): MutationRequest[] {
  return requests
    .map((value) => ({ ...orderKey(value), value }))
    .sort(compareOldest)
    .map((item) => item.value);
}

type Found = { value: MutationRequest } | { entry: HistoryEntry };

/** How many pending requests the requester has (pending ones are always live). */
export function pendingOf(live: LiveSet, requesterId: string): number {
  return live.values().filter((r) => r.status === 'pending' && r.requesterId === requesterId)
    .length;
}

/** A child of `kind` that blocks another (pending, approved or running), live or in the history. */
export function blockingChildOf(
  live: LiveSet,
  history: HistoryFile,
  parentId: string,
  kind: OperationKind,
): Found | undefined {
  const blocking = (status: RequestStatus) => CHILD_BLOCKING_STATUSES.includes(status);
  for (const value of live.values()) {
    if (value.parentId === parentId && value.kind === kind && blocking(value.status)) {
      return { value };
    }
  }
  for (const entry of history.entries()) {
    if (entry.parentId === parentId && entry.kind === kind && blocking(entry.status)) {
      if (!live.has(entry.id)) return { entry };
    }
  }
  return undefined;
}
