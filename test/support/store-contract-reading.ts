import { describe, expect, it } from 'vitest';
import { channelKey, DEFAULT_APPROVERS_KEY, groupKey, userKey } from '../../src/domain/audience.js';
import type { MutationRequest } from '../../src/domain/request.js';
import type { RequestStore } from '../../src/service/ports.js';
import type { ContractContext } from './store-fixtures.js';
import { at, closedRequest, makeRequest } from './store-fixtures.js';

// The contract's reading cases (issue 18): `recentConcerning`, what `history` shows a reader,
// on live and closed requests alike, kept current as decisions change who a request concerns.

const rule = (name: string, approvers?: string[]) => ({
  name,
  approvals: 1,
  reason: 'tag' as const,
  ...(approvers ? { approvers } : {}),
});

export function defineReadingCases({ fresh, reopen }: ContractContext): void {
  describe('recentConcerning', () => {
    async function seed(store: RequestStore) {
      const rows: MutationRequest[] = [
        makeRequest('ops-1', { createdAt: at(1), channelId: 'C0OPS' }),
        closedRequest('ops-2', { createdAt: at(2), channelId: 'C0OPS' }),
        makeRequest('priv-1', {
          createdAt: at(3),
          channelId: 'G0PRIV',
          requesterId: 'U0DANA',
          approval: { required: 1, rules: [rule('prod', ['S0LEADS', 'U0LEE'])], approvals: [] },
        }),
        closedRequest('priv-2', {
          createdAt: at(4),
          channelId: 'G0PRIV',
          requesterId: 'U0DANA',
          approval: { required: 1, rules: [rule('size')], approvals: [] },
          decision: { kind: 'approved', by: 'U0SAM', at: at(5) },
        }),
        makeRequest('priv-3', {
          createdAt: at(6),
          channelId: 'G0PRIV',
          requesterId: 'U0DANA',
          approval: {
            required: 2,
            rules: [rule('prod', ['S0LEADS'])],
            approvals: [{ by: 'U0KIM', at: at(7) }],
          },
        }),
      ];
      for (const row of rows) await store.insert(row);
      await store.flush();
    }
    const ids = async (store: RequestStore, keys: string[], limit = 10) =>
      (await store.recentConcerning({ keys, limit })).map((r) => r.id);

    it('answers the requests holding any of the keys, newest first, live and closed alike', async () => {
      const store = await fresh();
      await seed(store);
      expect(await ids(store, [channelKey('C0OPS')])).toEqual(['ops-2', 'ops-1']);
      expect(await ids(store, [channelKey('G0PRIV')])).toEqual(['priv-3', 'priv-2', 'priv-1']);
      // The requester, who decided, who approved, who a rule names, by id or by group.
      expect(await ids(store, [userKey('U0DANA')])).toEqual(['priv-3', 'priv-2', 'priv-1']);
      expect(await ids(store, [userKey('U0SAM')])).toEqual(['priv-2']);
      expect(await ids(store, [userKey('U0KIM')])).toEqual(['priv-3']);
      expect(await ids(store, [userKey('U0LEE')])).toEqual(['priv-1']);
      expect(await ids(store, [groupKey('S0LEADS')])).toEqual(['priv-3', 'priv-1']);
      // No rule names approvers: APPROVER_USER_IDS decides.
      expect(await ids(store, [DEFAULT_APPROVERS_KEY])).toEqual(['priv-2', 'ops-2', 'ops-1']);
      expect(await ids(store, [userKey('U0SAM'), channelKey('C0OPS')])).toEqual([
        'priv-2',
        'ops-2',
        'ops-1',
      ]);
      expect(await ids(store, [userKey('U0SAM'), groupKey('S0LEADS')], 2)).toEqual([
        'priv-3',
        'priv-2',
      ]);
      expect(await ids(store, [userKey('U0NOBODY'), channelKey('C0ELSEWHERE')])).toEqual([]);
      expect(await ids(store, [])).toEqual([]);
      expect(await ids(store, [channelKey('G0PRIV')], 0)).toEqual([]);
      expect((await store.recentConcerning({ keys: [userKey('U0LEE')], limit: 1 }))[0]).toEqual(
        await store.get('priv-1'),
      );
    });

    it('follows a decision: who approves or decides it is concerned from then on, also closed and reopened', async () => {
      const store = await fresh();
      await seed(store);
      expect(await ids(store, [userKey('U0LEE')])).toEqual(['priv-1']);
      await store.update('priv-3', (c) => ({
        ok: true,
        request: {
          ...c,
          approval: {
            ...c.approval,
            approvals: [...c.approval.approvals, { by: 'U0LEE', at: at(8) }],
          },
        },
      }));
      expect(await ids(store, [userKey('U0LEE')])).toEqual(['priv-3', 'priv-1']);
      await store.update('priv-1', (c) => ({
        ok: true,
        request: {
          ...c,
          status: 'rejected',
          decision: { kind: 'rejected', by: 'U0ROB', at: at(9) },
        },
      }));
      await store.flush();
      const check = async (s: RequestStore) => {
        expect(await ids(s, [userKey('U0ROB')])).toEqual(['priv-1']);
        expect(await ids(s, [userKey('U0LEE')])).toEqual(['priv-3', 'priv-1']);
        expect(await ids(s, [channelKey('G0PRIV')], 2)).toEqual(['priv-3', 'priv-2']);
      };
      await check(store);
      await store.close();
      await check(await reopen());
    });

    it('forgets removed and archived requests', async () => {
      const store = await fresh();
      await seed(store);
      await store.remove('ops-1');
      await store.archiveFinished(new Date(at(60 * 24)), async () => {});
      expect(await ids(store, [channelKey('C0OPS'), channelKey('G0PRIV')])).toEqual([
        'priv-3',
        'priv-1',
      ]);
    });

    it('finds the newest among many others, whatever comes between', async () => {
      const store = await fresh();
      for (let i = 0; i < 120; i++) {
        const other = { createdAt: at(i), channelId: 'C0BUSY', requesterId: `U0N${i}` };
        await store.insert(
          i % 2 ? makeRequest(`busy-${i}`, other) : closedRequest(`busy-${i}`, other),
        );
      }
      await store.insert(closedRequest('mine-old', { createdAt: at(1), requesterId: 'U0ME' }));
      await store.insert(makeRequest('mine-new', { createdAt: at(119), requesterId: 'U0ME' }));
      await store.flush();
      expect(await ids(store, [userKey('U0ME')])).toEqual(['mine-new', 'mine-old']);
      expect(await ids(store, [channelKey('C0BUSY')], 3)).toEqual([
        'busy-119',
        'busy-118',
        'busy-117',
      ]);
    });
  });
}
