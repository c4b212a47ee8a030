import { describe, expect, it } from 'vitest';
import { type HistoryEntry, HistoryIndex } from '../../src/store/history-index.js';

// The lowdb history's index by audience key: sorted on every set, unlinked on every delete, so
// `history` reads the newest entries of a key without looking at the others.

const entry = (id: string, createdMs: number, audience: string[]): HistoryEntry => ({
  id,
  status: 'done',
  kind: 'attach',
  parentId: undefined,
  requesterId: 'U0REQ',
  createdMs,
  endedMs: createdMs,
  audience,
  offset: -1,
  length: 0,
  pending: undefined,
});
const newest = (index: HistoryIndex, key: string) => [...index.newestWith(key)].map((e) => e.id);

describe('HistoryIndex', () => {
  it('keeps each key newest first, whatever order entries arrive in, ties by id', () => {
    const index = new HistoryIndex();
    for (const [id, ms] of [
      ['c', 30],
      ['a', 10],
      ['e', 50],
      ['b2', 20],
      ['b1', 20],
      ['d', 40],
    ] as const) {
      index.set(id, entry(id, ms, ['channel:C1', id === 'd' ? 'user:U9' : 'user:U1']));
    }
    expect(newest(index, 'channel:C1')).toEqual(['e', 'd', 'c', 'b2', 'b1', 'a']);
    expect(newest(index, 'user:U9')).toEqual(['d']);
    expect(newest(index, 'user:U0')).toEqual([]);
    expect(index.size).toBe(6);
  });

  it('moves an entry to its new keys when a newer version replaces it, and forgets deleted ones', () => {
    const index = new HistoryIndex();
    index.set('a', entry('a', 10, ['channel:C1', 'user:U1']));
    index.set('b', entry('b', 20, ['channel:C1']));
    index.set('a', entry('a', 10, ['channel:C1', 'user:U2']));
    expect(newest(index, 'user:U1')).toEqual([]);
    expect(newest(index, 'user:U2')).toEqual(['a']);
    expect(newest(index, 'channel:C1')).toEqual(['b', 'a']);
    expect(index.delete('b')).toBe(true);
    expect(index.delete('b')).toBe(false);
    expect(newest(index, 'channel:C1')).toEqual(['a']);
    index.clear();
    expect(newest(index, 'channel:C1')).toEqual([]);
  });

  it('reads lazily: taking the newest few visits no more entries', () => {
    const index = new HistoryIndex();
    for (let i = 0; i < 10_000; i++) index.set(`r${i}`, entry(`r${i}`, i, ['channel:C1']));
    const seen: string[] = [];
    for (const e of index.newestWith('channel:C1')) {
      seen.push(e.id);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['r9999', 'r9998', 'r9997']);
  });
});
