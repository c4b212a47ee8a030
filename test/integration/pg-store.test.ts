import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { audienceOf } from '../../src/domain/audience.js';
import type { Preview } from '../../src/domain/request.js';
import { CHILD_BLOCKING_STATUSES } from '../../src/service/ports.js';
import { openStores } from '../../src/store/open-store.js';
import { openPgDatabase, type PgDatabase } from '../../src/store/pg-connection.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/store/pg-schema.js';
import { createPgStore } from '../../src/store/pg-store.js';
import { KEY } from '../support/key-registry-contract.js';
import {
  asRole,
  createTestDatabase,
  findPgServer,
  onDatabase,
  type TestDatabase,
} from '../support/pg.js';
import { usePgTestDatabase } from '../support/pg-hooks.js';
import { largeRequest, makeRequest, withStepDone } from '../support/store-fixtures.js';

// What only the PostgreSQL store does: its schema, the rows it writes, and the audit table. The
// database going away is in pg-outage.test.ts, what both stores share in store-contract.test.ts.

const server = await findPgServer();
const pgFile = usePgTestDatabase(server);
/** Databases a test creates besides the file's own. */
const extra: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(extra.map((d) => d.drop()));
});

/** A pool on the file's database, ended after the test. */
function openDb(): PgDatabase {
  const db = openPgDatabase(pgFile.database.url);
  pgFile.defer(() => db.release());
  return db;
}
const sql = <T = Record<string, unknown>>(text: string, values?: unknown[]) =>
  onDatabase(pgFile.database.url, async (c) => (await c.query(text, values)).rows as T[]);

describe.skipIf(!server.available)('PostgreSQL store', () => {
  describe('schema', () => {
    it('migrates once and is idempotent', async () => {
      const db = openDb();
      expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      // Every step may run again over itself.
      for (const migration of MIGRATIONS) await sql(migration.sql);
      expect(await sql('SELECT version FROM store_migrations ORDER BY version')).toEqual(
        MIGRATIONS.map(({ version }) => ({ version })),
      );
    });

    it('backfills who each stored request concerns when it migrates to version 2', async () => {
      const store = createPgStore(openDb());
      const ruled = makeRequest('bf-ruled', {
        status: 'rejected',
        channelId: 'G0PRIV',
        approval: {
          required: 2,
          rules: [{ name: 'prod', approvals: 2, reason: 'tag', approvers: ['S0LEADS', 'U0LEE'] }],
          approvals: [{ by: 'U0KIM', at: '2025-01-01T00:03:00.000Z' }],
        },
        decision: { kind: 'rejected', by: 'U0ROB', at: '2025-01-01T00:04:00.000Z' },
      });
      const plain = makeRequest('bf-plain');
      for (const request of [ruled, plain]) await store.insert(request);
      const keysOf = async (id: string) =>
        (
          await sql<{ key: string }>(
            'SELECT key FROM request_audience WHERE request_id = $1 ORDER BY key',
            [id],
          )
        ).map((row) => row.key);
      // A database of version 1 had no such rows: the migration computes them from the requests.
      await sql("DELETE FROM request_audience WHERE request_id LIKE 'bf-%'");
      await sql(MIGRATIONS[1]?.sql ?? '');
      for (const request of [ruled, plain]) {
        expect(await keysOf(request.id)).toEqual([...audienceOf(request)].sort());
      }
      expect(await keysOf('bf-ruled')).toEqual([
        'channel:G0PRIV',
        'group:S0LEADS',
        'user:U0KIM',
        'user:U0LEE',
        'user:U0REQUESTER',
        'user:U0ROB',
      ]);
      expect(await keysOf('bf-plain')).toContain('approvers:default');
    });

    it('lets replicas start at once on a fresh database: one migrates, none races', async () => {
      const fresh = await createTestDatabase();
      extra.push(fresh);
      const opened = await Promise.all(
        Array.from({ length: 4 }, () => openStores({ dataFile: 'unused', databaseUrl: fresh.url })),
      );
      for (const stores of opened) pgFile.defer(() => stores.close());
      expect(opened.map((s) => s.kind)).toEqual(Array(4).fill('postgres'));
      const rows = await onDatabase(
        fresh.url,
        async (c) => (await c.query('SELECT version FROM store_migrations ORDER BY version')).rows,
      );
      expect(rows).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
      expect(await opened[0]?.store.insert(makeRequest('r1'))).toEqual({ ok: true });
      expect(await opened[3]?.store.get('r1')).toEqual(makeRequest('r1'));
    });

    it('refuses a schema written by a newer bot', async () => {
      const fresh = await createTestDatabase();
      extra.push(fresh);
      const first = await openStores({ dataFile: 'unused', databaseUrl: fresh.url });
      await first.close();
      await onDatabase(fresh.url, (c) =>
        c.query("INSERT INTO store_migrations (version, name) VALUES (99, 'from the future')"),
      );
      await expect(
        openStores({ dataFile: 'unused', databaseUrl: fresh.url }),
      ).rejects.toMatchObject({
        code: 'store_schema_newer',
        message: expect.stringContaining('schema version 99'),
      });
    });

    it('tells a role that may not create the schema to migrate once as the owner', async () => {
      const fresh = await createTestDatabase();
      extra.push(fresh);
      const role = `akb_ro_${fresh.name.slice(-6)}`;
      await onDatabase(fresh.url, async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN`);
        await c.query(`GRANT CONNECT ON DATABASE ${fresh.name} TO ${role}`);
      });
      pgFile.defer(() =>
        onDatabase(fresh.url, async (c) => {
          await c.query(`DROP OWNED BY ${role}`);
          await c.query(`DROP ROLE ${role}`);
        }),
      );
      await expect(
        openStores({ dataFile: 'unused', databaseUrl: asRole(fresh.url, role) }),
      ).rejects.toMatchObject({
        code: 'store_query_failed',
        message: expect.stringContaining("once with the database owner's URL"),
      });
    });

    it('blocks follow-ups in exactly the statuses the port names', () => {
      const sqlList = /status IN \(([^)]*)\)/.exec(MIGRATIONS[0]?.sql ?? '')?.[1];
      expect(sqlList?.split(',').map((s) => s.trim().replace(/'/g, ''))).toEqual([
        ...CHILD_BLOCKING_STATUSES,
      ]);
    });
  });

  describe('writes', () => {
    it('writes only the changed step row of a large request, and no header', async () => {
      const store = createPgStore(openDb());
      await store.insert(largeRequest('big'));
      const rows = async () =>
        sql<{ idx: number; xmin: string }>(
          'SELECT idx, xmin::text FROM request_steps WHERE request_id = $1 ORDER BY idx',
          ['big'],
        );
      const header = async () => (await sql("SELECT xmin::text FROM requests WHERE id = 'big'"))[0];
      const stepsBefore = await rows();
      const headerBefore = await header();
      expect(stepsBefore).toHaveLength(50);

      await store.update('big', (c) => ({ ok: true, request: withStepDone(c, 7) }));
      const stepsAfter = await rows();
      const rewritten = stepsAfter.filter((row, i) => row.xmin !== stepsBefore[i]?.xmin);
      expect(rewritten.map((row) => row.idx)).toEqual([7]);
      expect(await header()).toEqual(headerBefore);

      // A header change writes the header and no step.
      await store.update('big', (c) => ({ ok: true, request: { ...c, remindedAt: 'x' } }));
      expect(await rows()).toEqual(stepsAfter);
      expect(await header()).not.toEqual(headerBefore);
    });

    it('keeps the preview in its own column and in data; a status change sends only what changed', async () => {
      const db = openDb();
      const store = createPgStore(db);
      const preview = {
        readAt: '2025-01-01T00:00:01.000Z',
        instances: [{ instanceId: 'i-a', status: 'RUNNING' }],
        unread: [],
        problems: [],
      } as unknown as Preview;
      await store.insert(makeRequest('pv-1', { preview }));
      const stored = async () =>
        (
          await sql<{ column: unknown; inData: unknown; status: string }>(
            "SELECT preview AS column, data->'preview' AS \"inData\", data->>'status' AS status FROM requests WHERE id = 'pv-1'",
          )
        )[0];
      // Both places: a replica of the previous version reads `data`.
      expect(await stored()).toEqual({ column: preview, inData: preview, status: 'pending' });
      const statements: string[] = [];
      const spy = vi.spyOn(db.pool, 'connect');
      spy.mockImplementation((async () => {
        const client = await (pg.Pool.prototype.connect as () => Promise<pg.PoolClient>).call(
          db.pool,
        );
        const clientQuery = client.query.bind(client);
        client.query = ((text: unknown, ...rest: unknown[]) => {
          if (typeof text === 'string') statements.push(text);
          return (clientQuery as (...args: unknown[]) => unknown)(text, ...rest);
        }) as typeof client.query;
        return client;
      }) as never);
      await store.update('pv-1', (c) => ({ ok: true, request: { ...c, status: 'approved' } }));
      spy.mockRestore();
      const update = statements.find((s) => s.includes('UPDATE requests'));
      expect(update).toContain('"status":"approved"');
      expect(update).not.toContain('i-a');
      expect(await stored()).toEqual({ column: preview, inData: preview, status: 'approved' });
      expect((await store.get('pv-1'))?.preview).toEqual(preview);
    });

    it('reads rows of the old form (no column) and of the contracted one (only the column)', async () => {
      const store = createPgStore(openDb());
      const preview = {
        readAt: '2025-01-01T00:00:01.000Z',
        instances: [{ instanceId: 'i-old', status: 'STOPPED' }],
        unread: [],
        problems: [],
      } as unknown as Preview;
      await store.insert(makeRequest('pv-old', { preview }));
      await store.insert(makeRequest('pv-new', { preview }));
      // As a replica of the previous version writes it, and as a later one will.
      await sql("UPDATE requests SET preview = NULL WHERE id = 'pv-old'");
      await sql("UPDATE requests SET data = data - 'preview' WHERE id = 'pv-new'");
      for (const id of ['pv-old', 'pv-new']) {
        expect((await createPgStore(openDb()).get(id))?.preview).toEqual(preview);
      }
      expect((await store.recent({ limit: 10 })).filter((r) => r.id.startsWith('pv-'))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: 'pv-old', preview }),
          expect.objectContaining({ id: 'pv-new', preview }),
        ]),
      );
      // An old-form row updated by this version keeps its preview where it was.
      await store.update('pv-old', (c) => ({ ok: true, request: { ...c, status: 'approved' } }));
      expect((await createPgStore(openDb()).get('pv-old'))?.preview).toEqual(preview);
    });

    it('adds the preview column without a schema version: a previous replica still starts', async () => {
      await sql('ALTER TABLE requests DROP COLUMN preview');
      expect(await migrate(openDb())).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      expect(
        await sql(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'preview'",
        ),
      ).toHaveLength(1);
      // Recorded as no migration: an older bot's check (a newer version refuses) still passes.
      expect(MIGRATIONS.some((m) => m.sql.includes('preview'))).toBe(false);
      expect(await sql('SELECT max(version) AS v FROM store_migrations')).toEqual([
        { v: SCHEMA_VERSION },
      ]);
    });

    it('drops the steps a change removed', async () => {
      const store = createPgStore(openDb());
      await store.insert(largeRequest('shrink-1', 300));
      await store.update('shrink-1', (c) => ({
        ok: true,
        request: { ...c, steps: c.steps.slice(0, 1) },
      }));
      expect((await store.get('shrink-1'))?.steps).toHaveLength(1);
      expect(
        await sql("SELECT count(*)::int AS n FROM request_steps WHERE request_id = 'shrink-1'"),
      ).toEqual([{ n: 1 }]);
    });

    it('lets an exception from change through, rolled back and unlocked', async () => {
      const store = createPgStore(openDb());
      await store.insert(makeRequest('exc-1'));
      const bug = new Error('bug in change');
      await expect(
        store.update('exc-1', () => {
          throw bug;
        }),
      ).rejects.toBe(bug);
      const result = await store.update('exc-1', (c) => ({
        ok: true,
        request: { ...c, status: 'approved' },
      }));
      expect(result.ok).toBe(true);
    });

    it('reads what another process changed, however much of the request it knows already', async () => {
      const a = createPgStore(openDb());
      const b = createPgStore(openDb());
      await a.insert(largeRequest('two-1', 500));
      // Both know the request now; then each changes a different part of it.
      expect((await a.get('two-1'))?.steps[2]?.state).toBe('planned');
      await b.update('two-1', (c) => ({ ok: true, request: withStepDone(c, 2) }));
      expect((await a.get('two-1'))?.steps[2]?.state).toBe('done');
      await a.update('two-1', (c) => ({ ok: true, request: withStepDone(c, 3) }));
      await b.update('two-1', (c) => ({ ok: true, request: { ...c, remindedAt: 'b' } }));
      const seen = await a.update('two-1', (c) => ({
        ok: true,
        request: { ...c, steps: c.steps.slice(0, 4) },
      }));
      expect(seen.ok && seen.request.remindedAt).toBe('b');
      const fresh = await createPgStore(openDb()).get('two-1');
      expect(await b.get('two-1')).toEqual(fresh);
      expect(await a.get('two-1')).toEqual(fresh);
      expect(fresh?.steps.map((s) => s.state)).toEqual(['planned', 'planned', 'done', 'done']);
      await b.remove('two-1');
      expect(await a.get('two-1')).toBeUndefined();
      await b.insert(makeRequest('two-1'));
      expect((await a.get('two-1'))?.steps).toEqual([]);
    });

    it('keeps leases in columns, never in the request', async () => {
      const store = createPgStore(openDb());
      await store.insert(makeRequest('lease-1', { status: 'executing' }));
      const now = new Date('2025-01-01T00:00:00.000Z');
      await store.acquireLease('lease-1', 'bot-a', new Date('2025-01-01T00:00:30.000Z'), now);
      expect(
        await sql("SELECT lease_owner, lease_until FROM requests WHERE id = 'lease-1'"),
      ).toEqual([{ lease_owner: 'bot-a', lease_until: new Date('2025-01-01T00:00:30.000Z') }]);
      expect(await store.get('lease-1')).toEqual(makeRequest('lease-1', { status: 'executing' }));
    });
  });

  describe('audit trail', () => {
    it('appends, reads back one request oldest first, and answers the last snapshot', async () => {
      const stores = await openStores({ dataFile: 'unused', databaseUrl: pgFile.database.url });
      pgFile.defer(() => stores.close());
      const { audit } = stores;
      const event = {
        type: 'requested' as const,
        requestId: 'a1',
        at: '2025-01-01T00:00:00.000Z',
        list: ['x'],
      };
      const appended = audit.append(event);
      event.list.push('changed after append');
      await appended;
      await audit.append({ type: 'approved', requestId: 'a2', at: '2025-01-01T00:01:00.000Z' });
      await audit.append({
        type: 'archived',
        requestId: 'a1',
        at: 'not a time',
        request: makeRequest('a1'),
      });
      expect(await audit.eventsFor('a1')).toEqual([
        { type: 'requested', requestId: 'a1', at: '2025-01-01T00:00:00.000Z', list: ['x'] },
        { type: 'archived', requestId: 'a1', at: 'not a time', request: makeRequest('a1') },
      ]);
      expect(await audit.lastSnapshot('a1')).toEqual(makeRequest('a1'));
      expect(await audit.lastSnapshot('a2')).toBeUndefined();
    });

    it('keeps the order of appends made at once, in one INSERT per batch', async () => {
      const stores = await openStores({ dataFile: 'unused', databaseUrl: pgFile.database.url });
      pgFile.defer(() => stores.close());
      const { audit } = stores;
      const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i).toISOString();
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          audit.append({ type: i % 2 ? 'step_done' : 'step_sent', requestId: 'o1', at: at(i), i }),
        ),
      );
      const events = await audit.eventsFor('o1');
      expect(events.map((e) => (e as { i?: number }).i)).toEqual([...Array(30).keys()]);
      expect(
        await sql(
          "SELECT count(DISTINCT xmin::text)::int AS commits FROM audit_events WHERE request_id = 'o1'",
        ),
      ).toEqual([{ commits: 1 }]);
    });

    it('works for a role granted INSERT and SELECT only on the trail, which cannot rewrite it', async () => {
      const role = `akb_bot_${pgFile.database.name.slice(-6)}`;
      // The README's grants, as the database owner.
      await sql(`CREATE ROLE ${role} LOGIN`);
      await sql(`GRANT CONNECT ON DATABASE ${pgFile.database.name} TO ${role}`);
      await sql(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await sql(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON requests, request_steps, request_audience TO ${role}`,
      );
      await sql(`GRANT SELECT ON store_migrations TO ${role}`);
      await sql(`GRANT SELECT, INSERT ON audit_events TO ${role}`);
      await sql(`GRANT USAGE ON SEQUENCE audit_events_seq_seq TO ${role}`);
      await sql(`GRANT SELECT, INSERT, UPDATE ON public_keys TO ${role}`);
      pgFile.defer(async () => {
        await sql(`DROP OWNED BY ${role}`);
        await sql(`DROP ROLE ${role}`);
      });

      const url = asRole(pgFile.database.url, role);
      const stores = await openStores({ dataFile: 'unused', databaseUrl: url });
      pgFile.defer(() => stores.close());
      await stores.store.insert(makeRequest('g1'));
      await stores.store.update('g1', (c) => ({ ok: true, request: { ...c, status: 'approved' } }));
      await stores.audit.append({
        type: 'requested',
        requestId: 'g1',
        at: '2025-01-01T00:00:00.000Z',
      });
      expect(await stores.audit.eventsFor('g1')).toHaveLength(1);
      await stores.keys.put(KEY);
      await stores.keys.put({ ...KEY, keyPairName: 'renamed' });
      expect((await stores.keys.get(KEY.keyPairId))?.keyPairName).toBe('renamed');

      for (const statement of [
        "UPDATE audit_events SET type = 'forged'",
        'DELETE FROM audit_events',
        'TRUNCATE audit_events',
      ]) {
        await expect(onDatabase(url, (c) => c.query(statement))).rejects.toMatchObject({
          code: '42501',
        });
      }
      expect(await stores.audit.eventsFor('g1')).toHaveLength(1);
    });
  });
});
