import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/open-store.js';
import { makeRequest } from '../support/store-fixtures.js';

// The factory's lowdb side (its PostgreSQL side is in pg-store.test.ts).

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'akb-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openStores without DATABASE_URL', () => {
  it('opens lowdb at DATA_FILE with the audit trail beside it', async () => {
    const dataFile = join(dir, 'db.json');
    const stores = await openStores({ dataFile });
    expect(stores.kind).toBe('lowdb');
    expect(stores.location).toBe(dataFile);
    await stores.store.insert(makeRequest('r1'));
    await stores.audit.append({
      type: 'requested',
      requestId: 'r1',
      at: '2025-01-01T00:00:00.000Z',
    });
    expect(stores.stats()).toMatchObject({ kind: 'lowdb', live: 1, history: 0 });
    await stores.close();
    expect(await readFile(join(dir, 'audit.jsonl'), 'utf8')).toContain('"requestId":"r1"');
    await expect(stores.store.get('r1')).rejects.toMatchObject({ code: 'store_closed' });
  });

  it('writes the audit trail to AUDIT_FILE when given, and closes the store if it cannot', async () => {
    const dataFile = join(dir, 'db.json');
    const stores = await openStores({ dataFile, auditFile: join(dir, 'logs', 'trail.jsonl') });
    await stores.audit.append({ type: 'expired', requestId: 'r2', at: '2025-01-01T00:00:00.000Z' });
    await stores.close();
    expect(await readFile(join(dir, 'logs', 'trail.jsonl'), 'utf8')).toContain('"expired"');
    await expect(openStores({ dataFile, auditFile: dir })).rejects.toMatchObject({
      code: 'audit_unwritable',
    });
    // The store it opened first was closed again: a new one opens the same file.
    const again = await openStores({ dataFile });
    await again.close();
  });
});
