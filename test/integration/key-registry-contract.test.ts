import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKeysFile, openLowdbKeyRegistry } from '../../src/store/lowdb-keys.js';
import { openStores } from '../../src/store/open-store.js';
import { openPgDatabase } from '../../src/store/pg-connection.js';
import { createPgKeyRegistry } from '../../src/store/pg-keys.js';
import { defineKeyRegistryContract, KEY } from '../support/key-registry-contract.js';
import {
  createMigratedDatabase,
  findPgServer,
  onDatabase,
  type TestDatabase,
} from '../support/pg.js';

// One registry contract, both stores: the public keys "apply now" can push.

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'akb-keys-'));
  dirs.push(dir);
  return dir;
};

let keysFile = '';
defineKeyRegistryContract('lowdb', () => ({
  async fresh() {
    keysFile = defaultKeysFile(join(await tempDir(), 'db.json'));
    return openLowdbKeyRegistry(keysFile);
  },
  reopen: () => openLowdbKeyRegistry(keysFile),
}));

describe('the lowdb registry file', () => {
  it('lives beside DATA_FILE and comes with the stores', async () => {
    const dir = await tempDir();
    expect(defaultKeysFile(join(dir, 'db.json'))).toBe(join(dir, 'db.keys.json'));
    const stores = await openStores({ dataFile: join(dir, 'db.json') });
    await stores.keys.put(KEY);
    await stores.close();
    const again = await openLowdbKeyRegistry(join(dir, 'db.keys.json'));
    expect(await again.get(KEY.keyPairId)).toEqual(KEY);
    await again.close();
  });

  it('refuses a file it cannot read, naming it, and never overwrites it', async () => {
    const file = join(await tempDir(), 'db.keys.json');
    await writeFile(file, '{"version":1,"keys":{"kp-x":{"keyPairId":"kp-y"}}}');
    await expect(openLowdbKeyRegistry(file)).rejects.toMatchObject({
      code: 'store_corrupt',
      message: expect.stringContaining(file),
    });
    await writeFile(file, 'not json');
    await expect(openLowdbKeyRegistry(file)).rejects.toMatchObject({ code: 'store_corrupt' });
  });
});

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
  defineKeyRegistryContract('PostgreSQL', () => ({
    async fresh() {
      const url = (database as TestDatabase).url;
      await onDatabase(url, (c) => c.query('TRUNCATE public_keys'));
      return createPgKeyRegistry(openPgDatabase(url));
    },
    reopen: async () => createPgKeyRegistry(openPgDatabase((database as TestDatabase).url)),
  }));
});
