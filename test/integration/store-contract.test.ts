import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
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
