import { describe, expect, it } from 'vitest';
import { clientTokenFor, MAX_BATCH_SIZE, toBatches } from '../../src/domain/batches.js';

const ids = (n: number, prefix = 'i-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const validToken = (t: string) => t.length >= 1 && t.length <= 64 && /^[\x21-\x7e]+$/.test(t);

describe('toBatches', () => {
  it('splits 250 ids into 100, 100 and 50, in order, indexed from 0', () => {
    const all = ids(250);
    const batches = toBatches('ak-20261128-x7k2p9', all);
    expect(batches.map((b) => b.instanceIds.length)).toEqual([100, 100, 50]);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2]);
    expect(batches.flatMap((b) => b.instanceIds)).toEqual(all);
  });

  it('drops duplicates, keeping the first occurrence and the order', () => {
    const batches = toBatches('ak-1', ['i-b', 'i-a', 'i-b', 'i-c', 'i-a'], 2);
    expect(batches.map((b) => b.instanceIds)).toEqual([['i-b', 'i-a'], ['i-c']]);
  });

  it('counts unique ids when chunking: 101 ids with one duplicate make one batch', () => {
    const batches = toBatches('ak-1', [...ids(100), 'i-5']);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.instanceIds).toHaveLength(100);
  });

  it('gives every batch its own token, derived from the request id and index', () => {
    const batches = toBatches('ak-20261128-x7k2p9', ids(250));
    const tokens = batches.map((b) => b.clientToken);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens).toEqual([0, 1, 2].map((i) => clientTokenFor('ak-20261128-x7k2p9', i)));
  });

  it('is deterministic: the same input plans the same batches', () => {
    expect(toBatches('ak-x', ids(150))).toEqual(toBatches('ak-x', ids(150)));
  });

  it('plans nothing for no ids and refuses sizes the API would reject', () => {
    expect(toBatches('ak-1', [])).toEqual([]);
    expect(() => toBatches('ak-1', ids(3), 0)).toThrow(RangeError);
    expect(() => toBatches('ak-1', ids(3), MAX_BATCH_SIZE + 1)).toThrow(RangeError);
    expect(() => toBatches('ak-1', ids(3), 1.5)).toThrow(RangeError);
  });
});

describe('clientTokenFor', () => {
  it('keeps a short lower-case request id readable', () => {
    expect(clientTokenFor('ak-20261128-x7k2p9', 0)).toBe('ak-20261128-x7k2p9-b0');
    expect(clientTokenFor('ak-20261128-x7k2p9', 12)).toBe('ak-20261128-x7k2p9-b12');
  });

  it('differs per batch and per request', () => {
    const tokens = new Set<string>();
    for (const id of ['ak-20261128-x7k2p9', 'ak-20261128-x7k2p8', 'AK-20261128-X7K2P9']) {
      for (let i = 0; i < 5; i++) tokens.add(clientTokenFor(id, i));
    }
    expect(tokens.size).toBe(15);
  });

  it('stays at most 64 printable ASCII characters whatever the request id is', () => {
    const weird = [
      '',
      'x'.repeat(44),
      'x'.repeat(45),
      'y'.repeat(1000),
      '运维-请求-1',
      'emoji-🔑-id',
      'has space',
      'Upper-Case',
      'tab\tnew\nline',
      'ak-20261128-x7k2p9',
    ];
    for (const id of weird) {
      for (const index of [0, 7, Number.MAX_SAFE_INTEGER]) {
        const token = clientTokenFor(id, index);
        expect(validToken(token), `${JSON.stringify(id)} #${index} -> ${token}`).toBe(true);
        expect(clientTokenFor(id, index)).toBe(token);
      }
    }
  });

  it('never lets case or length make two request ids share a token', () => {
    expect(clientTokenFor('Ak-1', 0)).not.toBe(clientTokenFor('ak-1', 0));
    const long = 'z'.repeat(100);
    expect(clientTokenFor(long, 0)).not.toBe(clientTokenFor(`${long}z`, 0));
  });

  it('refuses an index that is not a whole number >= 0', () => {
    expect(() => clientTokenFor('ak-1', -1)).toThrow(RangeError);
    expect(() => clientTokenFor('ak-1', 0.5)).toThrow(RangeError);
  });
});
