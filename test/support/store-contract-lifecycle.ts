import { describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import type { RequestStore } from '../../src/service/ports.js';
import type { ContractContext } from './store-fixtures.js';
import { at, closedRequest, makeRequest } from './store-fixtures.js';

// The contract's other cases: listing, remove, leases, retention, persistence.

export function defineLifecycleCases({ fresh, reopen, pair }: ContractContext): void {
  describe('listing', () => {
    async function seed(store: RequestStore) {
      const rejected = { kind: 'rejected' as const, by: 'U0APPROVER', at: at(9) };
      const rows = [
        makeRequest('b', { createdAt: at(3) }),
        makeRequest('a', { createdAt: at(1), requesterId: 'U0OTHER' }),
        makeRequest('c', { createdAt: at(2), status: 'executing' }),
        makeRequest('d', { createdAt: at(4), status: 'done' }),
        closedRequest('e', { createdAt: at(5), requesterId: 'U0OTHER' }),
        makeRequest('f', { createdAt: at(6), status: 'rejected', decision: rejected }),
        makeRequest('g', { createdAt: at(2), status: 'approved' }),
      ];
      for (const row of rows) await store.insert(row);
      await store.flush();
    }

    it('lists open requests oldest first, closed ones left out', async () => {
      const store = await fresh();
      await seed(store);
      expect((await store.listOpen()).map((r) => r.id)).toEqual(['a', 'c', 'g', 'b', 'd']);
    });

    it('answers recent requests newest first, closed ones included', async () => {
      const store = await fresh();
      await seed(store);
      expect((await store.recent({ limit: 4 })).map((r) => r.id)).toEqual(['f', 'e', 'd', 'b']);
      expect((await store.recent({ limit: 10, requesterId: 'U0OTHER' })).map((r) => r.id)).toEqual([
        'e',
        'a',
      ]);
      expect(await store.recent({ limit: 0 })).toEqual([]);
      expect(await store.recent({ limit: 5, requesterId: 'U0NOBODY' })).toEqual([]);
      expect((await store.recent({ limit: 1 }))[0]).toEqual(
        makeRequest('f', {
          createdAt: at(6),
          status: 'rejected',
          decision: { kind: 'rejected', by: 'U0APPROVER', at: at(9) },
        }),
      );
    });

    it('lists the follow-ups of a request oldest first, closed ones included', async () => {
      const store = await fresh();
      await store.insert(makeRequest('u1', { kind: 'undo', parentId: 'p', createdAt: at(3) }));
      await store.insert(closedRequest('r1', { kind: 'restart', parentId: 'p', createdAt: at(1) }));
      await store.insert(makeRequest('x', { kind: 'undo', parentId: 'other' }));
      await store.flush();
      expect((await store.children('p')).map((r) => r.id)).toEqual(['r1', 'u1']);
      expect(await store.children('none')).toEqual([]);
    });

    it('still reads a request after it closed and left the live set, also after a reopen', async () => {
      const store = await fresh();
      await store.insert(
        makeRequest('c1', { kind: 'restart', parentId: 'p', status: 'executing' }),
      );
      const closedAt = { status: 'done' as const, finishedAt: at(5), resultsPostedAt: at(6) };
      await store.update('c1', (c) => ({ ok: true, request: { ...c, ...closedAt } }));
      await store.flush();
      const expected = makeRequest('c1', { kind: 'restart', parentId: 'p', ...closedAt });
      const check = async (s: RequestStore) => {
        expect(await s.get('c1')).toEqual(expected);
        expect(await s.recent({ limit: 1 })).toEqual([expected]);
        expect(await s.children('p')).toEqual([expected]);
        expect(await s.listOpen()).toEqual([]);
      };
      await check(store);
      await store.close();
      await check(await reopen());
    });
  });

  describe('remove', () => {
    it('removes a live or a closed request, and ignores an unknown one', async () => {
      const store = await fresh();
      await store.insert(makeRequest('r1'));
      await store.insert(closedRequest('r2'));
      await store.flush();
      await store.remove('r1');
      await store.remove('r2');
      await store.remove('nope');
      expect(await store.get('r1')).toBeUndefined();
      expect(await store.get('r2')).toBeUndefined();
      await store.close();
      const again = await reopen();
      expect(await again.get('r1')).toBeUndefined();
      expect(await again.get('r2')).toBeUndefined();
    });
  });

  describe('leases', () => {
    it('acquires a free lease, renews its own, refuses another, takes over a lapsed one', async () => {
      const [a, b] = await pair();
      await a.insert(makeRequest('r1', { status: 'executing' }));
      const now = new Date(at(10));
      const later = (s: number) => new Date(now.getTime() + s * 1000);
      expect(await a.acquireLease('r1', 'bot-a', later(30), now)).toBe(true);
      expect(await a.acquireLease('r1', 'bot-a', later(60), later(10))).toBe(true);
      expect(await b.acquireLease('r1', 'bot-b', later(90), later(20))).toBe(false);
      // bot-a's renewal runs to +60 s: lapsed at +61 s.
      expect(await b.acquireLease('r1', 'bot-b', later(91), later(61))).toBe(true);
      expect(await a.acquireLease('r1', 'bot-a', later(100), later(62))).toBe(false);
      await a.releaseLease('r1', 'bot-a');
      expect(await a.acquireLease('r1', 'bot-a', later(100), later(63))).toBe(false);
      await b.releaseLease('r1', 'bot-b');
      expect(await a.acquireLease('r1', 'bot-a', later(100), later(64))).toBe(true);
      expect(await a.acquireLease('nope', 'bot-a', later(100), later(64))).toBe(false);
    });

    it('gives a lease to exactly one of 20 concurrent takers', async () => {
      const [a, b] = await pair();
      await a.insert(makeRequest('r1', { status: 'approved' }));
      const now = new Date(at(10));
      const until = new Date(at(11));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? b : a).acquireLease('r1', `bot-${i}`, until, now),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('archiveFinished', () => {
    const cutoff = new Date('2025-02-01T00:00:00.000Z');
    const old = '2025-01-10T00:00:00.000Z';
    const fresher = '2025-02-10T00:00:00.000Z';
    const rejected = (when: string) => ({
      kind: 'rejected' as const,
      by: 'U0APPROVER',
      at: when,
    });

    async function seed(store: RequestStore) {
      const rows = [
        closedRequest('done-old', { finishedAt: old }),
        closedRequest('done-fresh', { finishedAt: fresher }),
        closedRequest('failed-old', { status: 'failed', finishedAt: old }),
        makeRequest('rejected-old', { status: 'rejected', decision: rejected(old) }),
        makeRequest('rejected-fresh', {
          status: 'rejected',
          decision: rejected(fresher),
          createdAt: old,
        }),
        makeRequest('expired-old', { status: 'expired', createdAt: old }),
        makeRequest('done-unposted-old', { status: 'done', finishedAt: old }),
        makeRequest('pending-old', { createdAt: old }),
        makeRequest('executing-old', { status: 'executing', createdAt: old }),
      ];
      for (const row of rows) await store.insert(row);
      await store.flush();
    }
    const DUE = ['done-old', 'expired-old', 'failed-old', 'rejected-old'];

    it('removes closed requests that ended before the cutoff, after recording them', async () => {
      const store = await fresh();
      await seed(store);
      const recorded: string[] = [];
      const removed = await store.archiveFinished(cutoff, async (requests) => {
        // Still stored while they are recorded.
        for (const r of requests) expect(await store.get(r.id)).toEqual(r);
        recorded.push(...requests.map((r) => r.id));
      });
      expect(removed.map((r) => r.id).sort()).toEqual(DUE);
      expect(recorded.sort()).toEqual(DUE);
      for (const id of DUE) expect(await store.get(id)).toBeUndefined();
      const left = (await store.recent({ limit: 20 })).map((r) => r.id).sort();
      expect(left).toEqual([
        'done-fresh',
        'done-unposted-old',
        'executing-old',
        'pending-old',
        'rejected-fresh',
      ]);
      expect(await store.archiveFinished(cutoff, async () => {})).toEqual([]);
    });

    it('removes nothing when recording throws', async () => {
      const store = await fresh();
      await seed(store);
      await expect(
        store.archiveFinished(cutoff, async () => {
          throw new Error('audit log is full');
        }),
      ).rejects.toThrow('audit log is full');
      expect(await store.recent({ limit: 20 })).toHaveLength(9);
    });

    it('archives each request once when two sweeps run at once', async () => {
      const [a, b] = await pair();
      await seed(a);
      const recorded: string[] = [];
      const record = async (requests: readonly MutationRequest[]) => {
        recorded.push(...requests.map((r) => r.id));
      };
      const [first, second] = await Promise.all([
        a.archiveFinished(cutoff, record),
        b.archiveFinished(cutoff, record),
      ]);
      expect([...first, ...second].map((r) => r.id).sort()).toEqual(DUE);
      expect(recorded.sort()).toEqual(DUE);
    });
  });

  describe('persistence', () => {
    it('keeps every change across a close and reopen', async () => {
      const store = await fresh();
      await store.insert(makeRequest('r1'));
      await store.insert(makeRequest('r2', { createdAt: at(1) }));
      await store.insert(makeRequest('r3', { createdAt: at(2), status: 'executing' }));
      await store.update('r1', (c) => ({ ok: true, request: { ...c, status: 'rejected' } }));
      await store.remove('r2');
      await store.close();
      const again = await reopen();
      expect(await again.get('r1')).toEqual(makeRequest('r1', { status: 'rejected' }));
      expect(await again.get('r2')).toBeUndefined();
      expect((await again.listOpen()).map((r) => r.id)).toEqual(['r3']);
    });
  });
}
