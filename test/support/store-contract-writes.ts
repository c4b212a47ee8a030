import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/lifecycle.js';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import type { ContractContext } from './store-fixtures.js';
import { at, closedRequest, largeRequest, makeRequest, withStepDone } from './store-fixtures.js';

// The contract's write cases: insert, the follow-up rule, update.

export function defineWriteCases({ fresh, reopen, pair }: ContractContext): void {
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
        await store.insert(makeRequest('c2', { kind: 'restart', parentId: 'p', createdAt: at(2) })),
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
      await store.insert(makeRequest('c2', { kind: 'restart', parentId: 'p', status: 'expired' }));
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

    it('lets in no more pending requests of one requester than the limit, however many race', async () => {
      const [a, b] = await pair();
      // Not pending: does not count. Another requester's: does not count.
      await a.insert(makeRequest('done1', { status: 'done' }));
      await a.insert(makeRequest('other1', { requesterId: 'U0SOMEONE' }));
      await a.insert(makeRequest('mine1'));
      const limit = { maxPendingOfRequester: 3 };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).insert(makeRequest(`n${i}`), limit)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      for (const loser of results.filter((r) => !r.ok)) {
        expect(loser).toEqual({ ok: false, reason: 'too_many_open' });
      }
      const pending = (await a.listOpen()).filter(
        (r) => r.status === 'pending' && r.requesterId === 'U0REQUESTER',
      );
      expect(pending).toHaveLength(3);
      // Someone else is not held back, and without the option nothing is counted.
      expect(await b.insert(makeRequest('other2', { requesterId: 'U0SOMEONE' }), limit)).toEqual({
        ok: true,
      });
      expect(await b.insert(makeRequest('mine-unlimited'))).toEqual({ ok: true });
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
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).update('r1', click(`U0APP${i % 10}`))),
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

    it('keeps steps appended by a next phase (then=restart), with their kind, across a reopen', async () => {
      const store = await fresh();
      await store.insert(makeRequest('rot', { next: { kind: 'restart' } }));
      const base = (await store.get('rot')) as MutationRequest;
      const appended: Step[] = [0, 1].map((i) => ({
        index: base.steps.length + i,
        phase: 9 + i,
        wave: 0,
        kind: 'restart',
        action: i === 0 ? 'RebootInstances' : 'WaitRunning',
        instanceIds: ['i-aaa'],
        ...(i === 0 ? { clientToken: `rot-b${base.steps.length}` } : {}),
        state: 'planned',
        sendCount: 0,
      }));
      const planned = { at: at(1), instanceIds: ['i-aaa'], excluded: [] };
      const result = await store.update('rot', (c) => ({
        ok: true,
        request: {
          ...c,
          steps: [...c.steps, ...appended],
          next: { kind: 'restart', planned },
        },
      }));
      expect(result.ok).toBe(true);
      const expected = {
        ...base,
        steps: [...base.steps, ...appended],
        next: { kind: 'restart', planned },
      };
      expect(await store.get('rot')).toEqual(expected);
      await store.close();
      expect(await (await reopen()).get('rot')).toEqual(expected);
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
}
