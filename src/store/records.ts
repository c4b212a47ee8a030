import type { MutationRequest } from '../domain/request.js';

// Helpers both stores share: freezing, the time a request ended, and the one order they list in.

/** Stored values are shared with callers; freezing makes a change outside `update` fail loudly. */
export function deepFreeze<T>(value: T): T {
  // A frozen object's parts were frozen with it: values rebuilt with spreads freeze in O(change).
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** When a finished request ended: finishedAt, else its decision, else its creation (ms). */
export function endedAt(request: MutationRequest): number {
  for (const at of [request.finishedAt, request.decision?.at, request.createdAt]) {
    const time = at ? Date.parse(at) : Number.NaN;
    if (!Number.isNaN(time)) return time;
  }
  return Number.POSITIVE_INFINITY;
}

/** The listing key: creation time, then id by code unit (PostgreSQL: `COLLATE "C"`). */
export interface Ordered {
  id: string;
  createdMs: number;
}

export function orderKey(request: MutationRequest): Ordered {
  return { id: request.id, createdMs: Date.parse(request.createdAt) };
}

/** Oldest first. */
export function compareOldest(a: Ordered, b: Ordered): number {
  return a.createdMs - b.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The `limit` newest items, newest first, without sorting all of them. */
export function newest<T extends Ordered>(all: Iterable<T>, limit: number): T[] {
  const top: T[] = [];
  if (limit <= 0) return top;
  const newer = (a: T, b: T) => compareOldest(a, b) > 0;
  for (const item of all) {
    if (top.length === limit && !newer(item, top[limit - 1] as T)) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && newer(item, top[at - 1] as T)) at--;
    top.splice(at, 0, item);
    if (top.length > limit) top.pop();
  }
  return top;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
