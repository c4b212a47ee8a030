import { createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_BLOCKING_STATUSES,
  type RequestStore,
  STORE_UNAVAILABLE,
} from '../../src/service/ports.js';
import { openStores } from '../../src/store/open-store.js';
import { openPgDatabase, type PgDatabase } from '../../src/store/pg-connection.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/store/pg-schema.js';
import { createPgStore } from '../../src/store/pg-store.js';
import {
  asRole,
  createMigratedDatabase,
  createTestDatabase,
  findPgServer,
  onDatabase,
  type TestDatabase,
} from '../support/pg.js';
import { largeRequest, makeRequest, withStepDone } from '../support/store-fixtures.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// What only the PostgreSQL store does: its schema, the database going away, the rows it writes,
// and the audit table. The behaviour both stores share is in store-contract.test.ts.

const server = await findPgServer();
let database: TestDatabase;
const extra: TestDatabase[] = [];
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  if (!server.available) return;
  database = await createMigratedDatabase();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => {})));
});
afterAll(async () => {
  await Promise.all([database, ...extra].map((d) => d?.drop()));
});

function database_(): PgDatabase {
  const db = openPgDatabase(database.url);
  closers.push(() => db.release());
  return db;
}
const sql = <T = Record<string, unknown>>(text: string, values?: unknown[]) =>
  onDatabase(database.url, async (c) => (await c.query(text, values)).rows as T[]);

/** Healthy again: pings, reads the request unchanged, and changes it. */
async function expectWorking(store: RequestStore, id: string): Promise<void> {
  expect(await store.ping()).toBe(true);
  expect((await store.get(id))?.status).toBe('pending');
  const result = await store.update(id, (c) => ({
    ok: true,
    request: { ...c, status: 'approved' },
  }));
  expect(result.ok).toBe(true);
}

describe.skipIf(!server.available)('PostgreSQL store', () => {
  describe('schema', () => {
    it('migrates once and is idempotent', async () => {
      const db = database_();
      expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      // Every step may run again over itself.
      for (const migration of MIGRATIONS) await sql(migration.sql);
      expect(await sql('SELECT version FROM store_migrations')).toEqual([{ version: 1 }]);
    });

    it('lets replicas start at once on a fresh database: one migrates, none races', async () => {
      const fresh = await createTestDatabase();
      extra.push(fresh);
      const opened = await Promise.all(
        Array.from({ length: 4 }, () => openStores({ dataFile: 'unused', databaseUrl: fresh.url })),
      );
      for (const stores of opened) closers.push(() => stores.close());
      expect(opened.map((s) => s.kind)).toEqual(Array(4).fill('postgres'));
      const rows = await onDatabase(
        fresh.url,
        async (c) => (await c.query('SELECT version FROM store_migrations')).rows,
      );
      expect(rows).toEqual([{ version: 1 }]);
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
      closers.push(() =>
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
      const store = createPgStore(database_());
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

    it('drops the steps a change removed', async () => {
      const store = createPgStore(database_());
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
      const store = createPgStore(database_());
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

    it('keeps leases in columns, never in the request', async () => {
      const store = createPgStore(database_());
      await store.insert(makeRequest('lease-1', { status: 'executing' }));
      const now = new Date('2025-01-01T00:00:00.000Z');
      await store.acquireLease('lease-1', 'bot-a', new Date('2025-01-01T00:00:30.000Z'), now);
      expect(
        await sql("SELECT lease_owner, lease_until FROM requests WHERE id = 'lease-1'"),
      ).toEqual([{ lease_owner: 'bot-a', lease_until: new Date('2025-01-01T00:00:30.000Z') }]);
      expect(await store.get('lease-1')).toEqual(makeRequest('lease-1', { status: 'executing' }));
    });
  });

  describe('the database going away', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      if (!server.available) return;
      const target = new URL(database.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    });
    afterAll(async () => {
      await proxy?.close();
    });
    const viaProxy = (password = '') => {
      const url = new URL(asRole(database.url, new URL(database.url).username, password));
      url.port = String(proxy.port);
      return url.href;
    };

    it('rejects every call with STORE_UNAVAILABLE and pings false when nothing answers', async () => {
      const url = asRole(database.url, 'postgres', 'hunter2-secret');
      const unreachable = new URL(url);
      unreachable.port = '1';
      const db = openPgDatabase(unreachable.href, { connectTimeoutMs: 2_000 });
      closers.push(() => db.release());
      const store = createPgStore(db);
      const now = new Date();
      const calls = [
        store.get('r1'),
        store.insert(makeRequest('r1')),
        store.update('r1', (c) => ({ ok: true, request: c })),
        store.remove('r1'),
        store.listOpen(),
        store.recent({ limit: 5 }),
        store.children('p'),
        store.acquireLease('r1', 'bot', now, now),
        store.releaseLease('r1', 'bot'),
        store.archiveFinished(now, async () => {}),
      ];
      for (const outcome of await Promise.allSettled(calls)) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as Error & { code: string };
        expect(error.code).toBe(STORE_UNAVAILABLE);
        const text = `${error.message} ${String(error.stack)} ${String((error.cause as Error)?.message)}`;
        expect(text).not.toContain('hunter2-secret');
        expect(text).toContain('127.0.0.1:1');
      }
      expect(await store.ping()).toBe(false);
    });

    it('answers ping false in time when the server accepts but never answers', async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      closers.push(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      });
      const url = new URL(database.url);
      url.port = String((silent.address() as { port: number }).port);
      const db = openPgDatabase(url.href, { connectTimeoutMs: 300, pingTimeoutMs: 100 });
      closers.push(() => db.release());
      const store = createPgStore(db);
      const started = performance.now();
      expect(await store.ping()).toBe(false);
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(store.get('r1')).rejects.toMatchObject({ code: STORE_UNAVAILABLE });
    });

    it('fails a start with STORE_UNAVAILABLE, or waits for the server when asked to', async () => {
      await proxy.down();
      await expect(
        openStores({ dataFile: 'unused', databaseUrl: viaProxy('s3cret-pw') }),
      ).rejects.toMatchObject({
        code: STORE_UNAVAILABLE,
        message: expect.not.stringContaining('s3cret-pw'),
      });
      const waited: number[] = [];
      const opening = openStores({
        dataFile: 'unused',
        databaseUrl: viaProxy(),
        waitForDatabase: {
          delayMs: 0,
          onWaiting: (_error, attempt) => waited.push(attempt),
          // The server comes back after the second failed try.
          sleep: async () => {
            if (waited.length === 2) await proxy.up();
          },
        },
      });
      const stores = await opening;
      closers.push(() => stores.close());
      expect(waited).toEqual([1, 2]);
      expect(await stores.store.ping()).toBe(true);
    });

    it('recovers by itself when the connection drops and the server comes back', async () => {
      const errors: Error[] = [];
      const db = openPgDatabase(viaProxy(), {
        onError: (e) => errors.push(e),
        connectTimeoutMs: 2_000,
      });
      closers.push(() => db.release());
      const store = createPgStore(db);
      await store.insert(makeRequest('drop-1'));
      expect(await store.ping()).toBe(true);

      await proxy.down();
      await expect(store.get('drop-1')).rejects.toMatchObject({ code: STORE_UNAVAILABLE });
      await expect(
        store.update('drop-1', (c) => ({ ok: true, request: { ...c, status: 'approved' } })),
      ).rejects.toMatchObject({ code: STORE_UNAVAILABLE });
      expect(await store.ping()).toBe(false);

      await proxy.up();
      await expectWorking(store, 'drop-1');
    });

    it('survives its connections being terminated by the server mid-transaction', async () => {
      const errors: Error[] = [];
      const db = openPgDatabase(database.url, { onError: (e) => errors.push(e) });
      closers.push(() => db.release());
      const store = createPgStore(db);
      await store.insert(makeRequest('term-1'));
      await onDatabase(database.url, async (admin) => {
        // Hold the row so the store's update waits inside its transaction.
        await admin.query('BEGIN');
        await admin.query("SELECT 1 FROM requests WHERE id = 'term-1' FOR UPDATE");
        const update = store
          .update('term-1', (c) => ({ ok: true, request: { ...c, status: 'approved' } }))
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        const waiting = `SELECT pid FROM pg_stat_activity WHERE datname = $1
          AND application_name = 'attach-key-bot' AND wait_event_type = 'Lock'`;
        while ((await admin.query(waiting, [database.name])).rowCount === 0);
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'attach-key-bot'`,
          [database.name],
        );
        expect(await update).toMatchObject({ code: STORE_UNAVAILABLE });
        await admin.query('ROLLBACK');
      });
      await expectWorking(store, 'term-1');
      for (const error of errors) expect(error.message).not.toContain('password');
    });
  });

  describe('audit trail', () => {
    it('appends, reads back one request oldest first, and answers the last snapshot', async () => {
      const stores = await openStores({ dataFile: 'unused', databaseUrl: database.url });
      closers.push(() => stores.close());
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

    it('works for a role granted INSERT and SELECT only on the trail, which cannot rewrite it', async () => {
      const role = `akb_bot_${database.name.slice(-6)}`;
      // The README's grants, as the database owner.
      await sql(`CREATE ROLE ${role} LOGIN`);
      await sql(`GRANT CONNECT ON DATABASE ${database.name} TO ${role}`);
      await sql(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON requests, request_steps TO ${role}`);
      await sql(`GRANT SELECT ON store_migrations TO ${role}`);
      await sql(`GRANT SELECT, INSERT ON audit_events TO ${role}`);
      await sql(`GRANT USAGE ON SEQUENCE audit_events_seq_seq TO ${role}`);
      closers.push(async () => {
        await sql(`DROP OWNED BY ${role}`);
        await sql(`DROP ROLE ${role}`);
      });

      const url = asRole(database.url, role);
      const stores = await openStores({ dataFile: 'unused', databaseUrl: url });
      closers.push(() => stores.close());
      await stores.store.insert(makeRequest('g1'));
      await stores.store.update('g1', (c) => ({ ok: true, request: { ...c, status: 'approved' } }));
      await stores.audit.append({
        type: 'requested',
        requestId: 'g1',
        at: '2025-01-01T00:00:00.000Z',
      });
      expect(await stores.audit.eventsFor('g1')).toHaveLength(1);

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
