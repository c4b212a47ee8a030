import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestStore, STORE_UNAVAILABLE } from '../../src/service/ports.js';
import { openStores } from '../../src/store/open-store.js';
import { openPgDatabase } from '../../src/store/pg-connection.js';
import { createPgStore } from '../../src/store/pg-store.js';
import { asRole, findPgServer, onDatabase } from '../support/pg.js';
import { usePgTestDatabase } from '../support/pg-hooks.js';
import { makeRequest } from '../support/store-fixtures.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The PostgreSQL store without its database: unreachable, silent, cut off through a proxy, its
// backends terminated. Every call fails as STORE_UNAVAILABLE and the pool recovers by itself.

const server = await findPgServer();
const pgFile = usePgTestDatabase(server);

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
  describe('the database going away', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      if (!server.available) return;
      const target = new URL(pgFile.database.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    });
    afterAll(async () => {
      await proxy?.close();
    });
    const viaProxy = (password = '') => {
      const url = new URL(
        asRole(pgFile.database.url, new URL(pgFile.database.url).username, password),
      );
      url.port = String(proxy.port);
      return url.href;
    };

    it('rejects every call with STORE_UNAVAILABLE and pings false when nothing answers', async () => {
      const url = asRole(pgFile.database.url, 'postgres', 'hunter2-secret');
      const unreachable = new URL(url);
      unreachable.port = '1';
      const db = openPgDatabase(unreachable.href, { connectTimeoutMs: 2_000 });
      pgFile.defer(() => db.release());
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
      pgFile.defer(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      });
      const url = new URL(pgFile.database.url);
      url.port = String((silent.address() as { port: number }).port);
      const db = openPgDatabase(url.href, { connectTimeoutMs: 300, pingTimeoutMs: 100 });
      pgFile.defer(() => db.release());
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
      pgFile.defer(() => stores.close());
      expect(waited).toEqual([1, 2]);
      expect(await stores.store.ping()).toBe(true);
    });

    it('recovers by itself when the connection drops and the server comes back', async () => {
      const errors: Error[] = [];
      const db = openPgDatabase(viaProxy(), {
        onError: (e) => errors.push(e),
        connectTimeoutMs: 2_000,
      });
      pgFile.defer(() => db.release());
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
      const db = openPgDatabase(pgFile.database.url, { onError: (e) => errors.push(e) });
      pgFile.defer(() => db.release());
      const store = createPgStore(db);
      await store.insert(makeRequest('term-1'));
      await onDatabase(pgFile.database.url, async (admin) => {
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
        while ((await admin.query(waiting, [pgFile.database.name])).rowCount === 0);
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'attach-key-bot'`,
          [pgFile.database.name],
        );
        expect(await update).toMatchObject({ code: STORE_UNAVAILABLE });
        await admin.query('ROLLBACK');
      });
      await expectWorking(store, 'term-1');
      for (const error of errors) expect(error.message).not.toContain('password');
    });
  });
});
