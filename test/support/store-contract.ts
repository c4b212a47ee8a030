import { afterEach, describe, expect, it } from 'vitest';
import { decide, type MutationRequest, type Step } from '../../src/domain/request.js';
import type { RequestStore } from '../../src/service/ports.js';
import { closedRequest, largeRequest, makeRequest, withStepDone } from './store-fixtures.js';

// The RequestStore contract: the same cases, run against every store (store-contract.test.ts).

export interface StoreHarness {
  /** A fresh, empty store (a new file; an emptied database). */
  fresh(): Promise<RequestStore>;
  /**
   * Another store on the data of the last fresh one: after closing it (lowdb), or a second
   * replica beside it (PostgreSQL, when `replicas`).
   */
  reopen(): Promise<RequestStore>;
  /** Two stores may be open on the same data at once (two pools = two replicas). */
  replicas: boolean;
}

const T0 = '2025-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function defineStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`RequestStore contract: ${name}`, () => {
    const opened: RequestStore[] = [];
    const fresh = async () => track(await harness().fresh());
    const reopen = async () => track(await harness().reopen());
    function track(store: RequestStore): RequestStore {
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    });
    /** Two handles on one data set: two replicas where the store has them, else one twice. */
    async function pair(): Promise<[RequestStore, RequestStore]> {
      const first = await fresh();
      return [first, harness().replicas ? await reopen() : first];
    }

    describe('insert and get', () => {
      it('round-trips a request, frozen and apart from the draft', async () => {
        const store = await fresh();
        const draft = makeRequest('r1', { parentId: undefined, sandbox: true });
        expect(await store.insert(draft)).toEqual({ ok: true });
        draft.region = 'changed-after-insert';
        const stored = (await store.get('r1')) as MutationRequest;
        expect(stored).toEqual(makeRequest('r1', { sandbox: true }));
        expect(Object.isFrozen(stored)).toBe(true);
        expect(() => (stored.instanceIds as string[]).push('i-ccc')).toThrow(TypeError);
        expect(await store.get('nope')).toBeUndefined();
        expect(await store.get('__proto__')).toBeUndefined();
        expect(await store.ping()).toBe(true);
      });

      it('refuses a duplicate id and keeps the first', async () => {
        const store = await fresh();
        await store.insert(makeRequest('r1'));
        expect(await store.insert(makeRequest('r1', { region: 'cn-shanghai' }))).toEqual({
          ok: false,
          reason: 'duplicate_id',
        });
        expect((await store.get('r1'))?.region).toBe('cn-beijing');
      });

      it('refuses a duplicate of a closed request too', async () => {
        const store = await fresh();
        await store.insert(closedRequest('r1'));
        await store.flush();
        expect(await store.insert(makeRequest('r1'))).toEqual({
          ok: false,
          reason: 'duplicate_id',
        });
      });
    });

    describe('the follow-up rule', () => {
      it('allows one follow-up per parent and kind, and says which one exists', async () => {
        const store = await fresh();
        await store.insert(closedRequest('p'));
        const first = makeRequest('c1', { kind: 'restart', parentId: 'p', createdAt: at(1) });
        expect(await store.insert(first)).toEqual({ ok: true });
        expect(
          await store.insert(
            makeRequest('c2', { kind: 'restart', parentId: 'p', createdAt: at(2) }),
          ),
        ).toEqual({ ok: false, reason: 'child_exists', existing: first });
        expect(await store.insert(makeRequest('u1', { kind: 'undo', parentId: 'p' }))).toEqual({
          ok: true,
        });
        expect(await store.insert(makeRequest('c3', { kind: 'restart', parentId: 'q' }))).toEqual({
          ok: true,
        });
      });

      it('lets a rejected or expired follow-up not block the next one', async () => {
        const store = await fresh();
        const decision = { kind: 'rejected' as const, by: 'U0APPROVER', at: at(1) };
        await store.insert(
          makeRequest('c1', { kind: 'restart', parentId: 'p', status: 'rejected', decision }),
        );
        await store.insert(
          makeRequest('c2', { kind: 'restart', parentId: 'p', status: 'expired' }),
        );
        await store.flush();
        expect(await store.insert(makeRequest('c3', { kind: 'restart', parentId: 'p' }))).toEqual({
          ok: true,
        });
        // A pending follow-up that expires frees the parent as well.
        const expired = await store.update('c3', (c) => ({
          ok: true,
          request: { ...c, status: 'expired', decision: { kind: 'expired', at: at(9) } },
        }));
        expect(expired.ok).toBe(true);
        expect(await store.insert(makeRequest('c4', { kind: 'restart', parentId: 'p' }))).toEqual({
          ok: true,
        });
      });

      it('counts a finished follow-up that left the live set', async () => {
        const store = await fresh();
        const done = closedRequest('c1', { kind: 'undo', parentId: 'p' });
        await store.insert(done);
        await store.flush();
        expect(await store.insert(makeRequest('c2', { kind: 'undo', parentId: 'p' }))).toEqual({
          ok: false,
          reason: 'child_exists',
          existing: done,
        });
      });

      it('lets exactly one of 20 concurrent follow-ups in', async () => {
        const [a, b] = await pair();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? b : a).insert(makeRequest(`c${i}`, { kind: 'restart', parentId: 'p' })),
          ),
        );
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        const winner = results.findIndex((r) => r.ok);
        for (const loser of results.filter((r) => !r.ok)) {
          expect(loser).toMatchObject({
            ok: false,
            reason: 'child_exists',
            existing: { id: `c${winner}` },
          });
        }
        expect((await a.children('p')).map((r) => r.id)).toEqual([`c${winner}`]);
      });
    });

    describe('update', () => {
      it('applies an accepted change and answers the stored value', async () => {
        const store = await fresh();
        await store.insert(makeRequest('r1'));
        const result = await store.update('r1', (c) => ({
          ok: true,
          request: { ...c, status: 'approved' },
        }));
        expect(result).toEqual({ ok: true, request: makeRequest('r1', { status: 'approved' }) });
        expect(await store.get('r1')).toEqual(makeRequest('r1', { status: 'approved' }));
      });

      it('passes a refusal through untouched and changes nothing', async () => {
        const store = await fresh();
        await store.insert(makeRequest('r1'));
        const refusal = { reason: 'not_approved', saw: 'pending', nested: { list: [1, 2] } };
        const result = await store.update('r1', () => ({ ok: false, refusal }));
        expect(result.ok).toBe(false);
        expect(!result.ok && result.refusal).toBe(refusal);
        expect(await store.get('r1')).toEqual(makeRequest('r1'));
      });

      it('answers unknown_request without calling change', async () => {
        const store = await fresh();
        let called = false;
        const result = await store.update('nope', (c) => {
          called = true;
          return { ok: true, request: c };
        });
        expect(result).toEqual({ ok: false, refusal: { reason: 'unknown_request' } });
        expect(called).toBe(false);
      });

      it('refuses a change that alters the id', async () => {
        const store = await fresh();
        await store.insert(makeRequest('r1'));
        await expect(
          store.update('r1', (c) => ({ ok: true, request: { ...c, id: 'r2' } })),
        ).rejects.toMatchObject({
          code: 'request_id_changed',
        });
        expect(await store.get('r2')).toBeUndefined();
        expect(await store.get('r1')).toEqual(makeRequest('r1'));
      });

      it('lets exactly one of 20 concurrent decisions win; the others see the winner', async () => {
        const [a, b] = await pair();
        await a.insert(makeRequest('r1'));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? b : a).update('r1', (c) =>
              c.status === 'pending'
                ? {
                    ok: true,
                    request: {
                      ...c,
                      status: 'approved',
                      decision: { kind: 'approved', by: `U${i}`, at: at(1) },
                    },
                  }
                : { ok: false, refusal: { reason: 'already_decided', by: c.decision?.by } },
            ),
          ),
        );
        const winners = results.flatMap((r) => (r.ok ? [r.request] : []));
        expect(winners).toHaveLength(1);
        const by = winners[0]?.decision?.by;
        for (const loser of results.filter((r) => !r.ok)) {
          expect(loser).toEqual({ ok: false, refusal: { reason: 'already_decided', by } });
        }
        expect((await b.get('r1'))?.decision?.by).toBe(by);
      });

      it('counts each approver once under a quorum of 3, however many click at once', async () => {
        const [a, b] = await pair();
        await a.insert(makeRequest('r1', { approval: { required: 3, rules: [], approvals: [] } }));
        const now = new Date(at(1));
        const click = (userId: string) => (c: MutationRequest) =>
          decide(c, { kind: 'approve', userId, now, allowed: true, allowSelfApproval: false });
        // Ten approvers, each clicking twice, split over both handles.
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? b : a).update('r1', click(`U0APP${i % 10}`)),
          ),
        );
        const stored = (await a.get('r1')) as MutationRequest;
        expect(stored.status).toBe('approved');
        expect(stored.approval.approvals).toHaveLength(3);
        expect(new Set(stored.approval.approvals.map((x) => x.by)).size).toBe(3);
        expect(results.filter((r) => r.ok)).toHaveLength(3);
      });

      it('writes a step-only change of a 5,000-instance request', async () => {
        const store = await fresh();
        const big = largeRequest('big');
        await store.insert(big);
        const result = await store.update('big', (c) => ({
          ok: true,
          request: withStepDone(c, 7),
        }));
        expect(result.ok).toBe(true);
        const expected = withStepDone(big, 7);
        expect(await store.get('big')).toEqual(expected);
        await store.close();
        expect(await (await reopen()).get('big')).toEqual(expected);
      });

      it('stores any text unchanged: quotes, backslashes, newlines, non-ASCII', async () => {
        const store = await fresh();
        const hostile = `it's "quoted" \\ back\\slash \n new\nline $$ E'x' 🔑 ключ 鍵 '); DROP TABLE requests; --`;
        await store.insert(makeRequest(`id ${hostile}`, { keyPairName: hostile }));
        const result = await store.update(`id ${hostile}`, (c) => ({
          ok: true,
          request: {
            ...c,
            channelId: hostile,
            steps: [{ ...(largeRequest('x', 1).steps[0] as Step), keyPairName: hostile }],
          },
        }));
        expect(result.ok).toBe(true);
        const stored = await store.get(`id ${hostile}`);
        expect(stored?.keyPairName).toBe(hostile);
        expect(stored?.channelId).toBe(hostile);
        expect(stored?.steps[0]?.keyPairName).toBe(hostile);
        expect(await store.recent({ limit: 5 })).toHaveLength(1);
      });

      it('keeps a change to a closed request', async () => {
        const store = await fresh();
        await store.insert(closedRequest('r1'));
        await store.flush();
        const result = await store.update('r1', (c) => ({
          ok: true,
          request: { ...c, results: { channel: 'C0CHANNEL', ts: '1.2' } },
        }));
        expect(result.ok).toBe(true);
        expect((await store.get('r1'))?.results).toEqual({ channel: 'C0CHANNEL', ts: '1.2' });
      });
    });

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
        expect(
          (await store.recent({ limit: 10, requesterId: 'U0OTHER' })).map((r) => r.id),
        ).toEqual(['e', 'a']);
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
        await store.insert(
          closedRequest('r1', { kind: 'restart', parentId: 'p', createdAt: at(1) }),
        );
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
  });
}
