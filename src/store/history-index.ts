import type { MutationRequest, OperationKind, RequestStatus } from '../domain/request.js';
import { compareOldest } from './records.js';

// The history file's index (id → entry), which also keeps, for every audience key (channel:…,
// user:…, group:…, approvers:default), its entries sorted oldest first. `history` then reads the
// newest few of each key it holds instead of every stored request: its cost follows the page it
// shows, not the length of the history. The lists follow every set and delete of the map, so the
// history file keeps using it as a plain Map.

/** What the index keeps of a closed request: what listing needs, and where its line is. */
export interface HistoryEntry {
  readonly id: string;
  readonly status: RequestStatus;
  readonly kind: OperationKind;
  readonly parentId: string | undefined;
  readonly requesterId: string;
  readonly createdMs: number;
  readonly endedMs: number;
  /** Its audience keys (domain/audience.ts): who may see it in `history`. */
  readonly audience: readonly string[];
  /** Where its line starts; -1 until it is written. */
  offset: number;
  /** Bytes of the line without its newline. */
  length: number;
  /** The request itself until its line is written. */
  pending: MutationRequest | undefined;
}

/** One copy of each key string, however many entries hold it (the history may be large). */
const keys = new Map<string, string>();
export function internKey(key: string): string {
  const kept = keys.get(key);
  if (kept !== undefined) return kept;
  keys.set(key, key);
  return key;
}

export class HistoryIndex extends Map<string, HistoryEntry> {
  private readonly byKey = new Map<string, HistoryEntry[]>();

  override set(id: string, entry: HistoryEntry): this {
    const previous = super.get(id);
    if (previous) this.unlink(previous);
    super.set(id, entry);
    for (const key of entry.audience) {
      const list = this.byKey.get(key) ?? [];
      list.splice(this.position(list, entry), 0, entry);
      this.byKey.set(key, list);
    }
    return this;
  }

  override delete(id: string): boolean {
    const previous = super.get(id);
    if (!previous) return false;
    this.unlink(previous);
    return super.delete(id);
  }

  override clear(): void {
    this.byKey.clear();
    super.clear();
  }

  /** Entries holding `key`, newest first, read lazily. */
  *newestWith(key: string): Generator<HistoryEntry> {
    const list = this.byKey.get(key);
    if (!list) return;
    for (let at = list.length - 1; at >= 0; at--) yield list[at] as HistoryEntry;
  }

  private unlink(entry: HistoryEntry): void {
    for (const key of entry.audience) {
      const list = this.byKey.get(key);
      if (!list) continue;
      // Ids are unique, so the lower bound is the entry itself (unless a time did not parse).
      let at = this.position(list, entry);
      if (list[at] !== entry) at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.byKey.delete(key);
    }
  }

  /** Where `entry` goes in `list` (binary search on creation time, then id). */
  private position(list: readonly HistoryEntry[], entry: HistoryEntry): number {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareOldest(list[mid] as HistoryEntry, entry) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
