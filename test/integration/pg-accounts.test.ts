import { describe, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/store/pg-connection.js';
import { MIGRATIONS, migrate } from '../../src/store/pg-schema.js';
import { createPgStore } from '../../src/store/pg-store.js';
import { createTestDatabase, findPgServer, onDatabase } from '../support/pg.js';
import { usePgTestDatabase } from '../support/pg-hooks.js';
import { makeRequest } from '../support/store-fixtures.js';

// Issue 24 in PostgreSQL: the account is frozen with the request (in its JSON), and migration 4
// adds a computed `account` column, so rows written before it, or by an older replica during a
// rollout, read as `default`.

const server = await findPgServer();
const pgFile = usePgTestDatabase(server);
const sql = <T = Record<string, unknown>>(text: string, values?: unknown[]) =>
  onDatabase(pgFile.database.url, async (c) => (await c.query(text, values)).rows as T[]);

describe.skipIf(!server.available)('the account of a request in PostgreSQL', () => {
  it('keeps it with the request, and reads rows without one as default', async () => {
    const db = openPgDatabase(pgFile.database.url);
    pgFile.defer(() => db.release());
    await migrate(db);
    const store = createPgStore(db);
    await store.insert(makeRequest('acc-prod', { account: 'prod', accountId: '2100000001' }));
    await store.insert(makeRequest('acc-none'));
    expect(await store.get('acc-prod')).toMatchObject({ account: 'prod', accountId: '2100000001' });
    expect((await store.get('acc-none'))?.account).toBeUndefined();
    expect(await sql('SELECT id, account FROM requests ORDER BY id')).toEqual([
      { id: 'acc-none', account: 'default' },
      { id: 'acc-prod', account: 'prod' },
    ]);
  });

  it('adds the column to a schema of version 3 that already holds requests', async () => {
    const fresh = await createTestDatabase();
    pgFile.defer(() => fresh.drop());
    const sql = <T = Record<string, unknown>>(text: string) =>
      onDatabase(fresh.url, async (c) => (await c.query(text)).rows as T[]);
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) await sql(m.sql);
    await sql(
      `INSERT INTO requests (id, kind, status, requester_id, created_at, closed, data)
       VALUES ('old-row', 'attach', 'pending', 'U1', now(), false, '{"id":"old-row"}')`,
    );
    const last = MIGRATIONS.find((m) => m.version === 4);
    await sql(last?.sql ?? '');
    await sql(last?.sql ?? ''); // idempotent
    expect(await sql(`SELECT account FROM requests WHERE id = 'old-row'`)).toEqual([
      { account: 'default' },
    ]);
  });
});
