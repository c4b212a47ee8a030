import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { openPgDatabase } from '../../src/store/pg-connection.js';
import { createPgStore } from '../../src/store/pg-store.js';
import {
  createMigratedDatabase,
  findPgServer,
  onDatabase,
  type TestDatabase,
} from '../support/pg.js';
import { defineStoreContract } from '../support/store-contract.js';

// One contract, every store: the service does not know which one it has.

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

let dataFile = '';
defineStoreContract('lowdb', () => ({
  replicas: false,
  async fresh() {
    const dir = await mkdtemp(join(tmpdir(), 'akb-contract-'));
    dirs.push(dir);
    dataFile = join(dir, 'db.json');
    return openLowdbStore({ dataFile });
  },
  reopen: () => openLowdbStore({ dataFile }),
}));

const server = await findPgServer();
let database: TestDatabase | undefined;
beforeAll(async () => {
  if (!server.available) return;
  database = await createMigratedDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe.skipIf(!server.available)('PostgreSQL', () => {
  defineStoreContract('PostgreSQL', () => ({
    replicas: true,
    async fresh() {
      const url = (database as TestDatabase).url;
      await onDatabase(url, (c) =>
        c.query('TRUNCATE requests, request_steps, request_audience, audit_events'),
      );
      return createPgStore(openPgDatabase(url));
    },
    reopen: async () => createPgStore(openPgDatabase((database as TestDatabase).url)),
  }));
});
