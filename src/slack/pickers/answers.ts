import type { InstanceSnapshot } from '../../domain/request.js';
import { type Lookup, TIMEOUT } from './lookups.js';
import type { PickerHint } from './matches.js';

// Small pieces of a picker's answer: the hint for a cloud read that did not answer, and the
// order instances are offered in.

export function cloudHint(lookup: Exclude<Lookup<unknown>, { state: 'ok' }>): PickerHint {
  if (lookup.state === 'busy') return { kind: 'busy' };
  if (lookup.state === 'late' || lookup.code === TIMEOUT) return { kind: 'slow' };
  return { kind: 'refused', code: lookup.code };
}

export function dedupe(items: InstanceSnapshot[]): InstanceSnapshot[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.instanceId) && seen.add(i.instanceId));
}

/** The exact id first, then names that start with the text, then the rest, each in list order. */
export function rank(items: InstanceSnapshot[], lower: string): InstanceSnapshot[] {
  if (!lower) return items;
  const score = (i: InstanceSnapshot) =>
    i.instanceId === lower ? 0 : i.name.toLowerCase().startsWith(lower) ? 1 : 2;
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map((x) => x.item);
}

/** Waits for the promise, or `ms` at most. */
export async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
