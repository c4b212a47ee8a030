import { describe, expect, it } from 'vitest';
import { cancel, stopUnsent } from '../../src/domain/guards.js';
import type { MutationRequest } from '../../src/domain/request.js';
import type { ContractContext } from './store-fixtures.js';
import { at, makeRequest } from './store-fixtures.js';

// The contract's cases for issue 19's statuses: `cancelled` and `voided` close a request (both
// stores: the PostgreSQL status column is free text, and the one-follow-up index lists only the
// blocking statuses), and a request stopped unsent stays open until its thread note is posted.

const card = { channel: 'C0CHANNEL', ts: '1.0001' };

export function defineGuardCases({ fresh, reopen }: ContractContext): void {
  describe('cancelled, voided and stopped requests', () => {
    it('closes a cancelled or voided request, keeps it readable and listed, across a reopen', async () => {
      const store = await fresh();
      await store.insert(makeRequest('c1', { card }));
      await store.insert(makeRequest('v1', { card, sandbox: true, status: 'approved' }));
      await store.insert(makeRequest('p1', { card }));
      const cancelled = await store.update('c1', (c) =>
        cancel(c, { userId: 'U0REQUESTER', now: new Date(at(2)) }),
      );
      expect(cancelled).toMatchObject({
        ok: true,
        request: { status: 'cancelled', cancelled: { by: 'U0REQUESTER', at: at(2) } },
      });
      const stopped = { reason: 'other_mode' as const, mode: 'sandbox' as const, at: at(3) };
      await store.update('v1', (c) => ({ ok: true, request: stopUnsent(c, 'voided', stopped) }));
      await store.flush();
      const check = async (s: typeof store) => {
        // The voided one waits for its thread note; the cancelled one is closed at once.
        expect((await s.listOpen()).map((r) => r.id)).toEqual(['p1', 'v1']);
        expect((await s.get('c1'))?.status).toBe('cancelled');
        expect(await s.get('v1')).toMatchObject({ status: 'voided', stopped });
        expect((await s.recent({ limit: 5 })).map((r) => r.status).sort()).toEqual([
          'cancelled',
          'pending',
          'voided',
        ]);
      };
      await check(store);
      await store.update('v1', (c) => ({ ok: true, request: { ...c, resultsPostedAt: at(4) } }));
      expect((await store.listOpen()).map((r) => r.id)).toEqual(['p1']);
      await store.close();
      const again = await reopen();
      expect((await again.listOpen()).map((r) => r.id)).toEqual(['p1']);
      expect((await again.get('v1'))?.resultsPostedAt).toBe(at(4));
    });

    it('lets a cancelled or voided follow-up not block the next one', async () => {
      const store = await fresh();
      const child = (id: string, extra: Partial<MutationRequest> = {}) =>
        makeRequest(id, { kind: 'undo', parentId: 'p', ...extra });
      await store.insert(child('u1', { status: 'cancelled', cancelled: { by: 'U0R', at: at(1) } }));
      await store.insert(child('u2', { status: 'voided' }));
      expect(await store.insert(child('u3'))).toEqual({ ok: true });
      // A pending one taken back frees the parent too; an approved one still blocks.
      await store.update('u3', (c) => cancel(c, { userId: 'U0REQUESTER', now: new Date(at(2)) }));
      expect(await store.insert(child('u4', { status: 'approved' }))).toEqual({ ok: true });
      expect(await store.insert(child('u5'))).toMatchObject({
        ok: false,
        reason: 'child_exists',
        existing: { id: 'u4' },
      });
    });

    it('archives cancelled and voided requests after retention, like any closed one', async () => {
      const store = await fresh();
      const old = '2025-01-10T00:00:00.000Z';
      await store.insert(
        makeRequest('c-old', {
          status: 'cancelled',
          cancelled: { by: 'U0R', at: old },
          finishedAt: old,
        }),
      );
      await store.insert(
        makeRequest('v-old', {
          status: 'voided',
          stopped: { reason: 'other_mode', mode: 'live', at: old },
          finishedAt: old,
        }),
      );
      await store.flush();
      const archived = await store.archiveFinished(
        new Date('2025-02-01T00:00:00.000Z'),
        async () => {},
      );
      expect(archived.map((r) => r.id).sort()).toEqual(['c-old', 'v-old']);
    });
  });
}
