import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClosed, type MutationRequest } from '../../src/domain/request.js';
import { inspectLowdbStore, openLowdbStore } from '../../src/store/lowdb-store.js';
import { upgradeRequest, type V1Request } from '../../src/store/upgrade-v1.js';
import { makeRequest } from '../support/store-fixtures.js';

// The lowdb store's DATA_FILE: a format-1 file is upgraded, anything else it cannot read is
// refused with a message naming the file, and never touched.

let dir: string;
let file: string;
let historyFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attach-key-store-'));
  file = join(dir, 'db.json');
  historyFile = join(dir, 'db.history.jsonl');
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const historyLines = async () => (await readFile(historyFile, 'utf8')).split('\n').filter(Boolean);
const v2 = (...requests: MutationRequest[]) =>
  JSON.stringify({ version: 2, requests: Object.fromEntries(requests.map((r) => [r.id, r])) });

describe('format 1', () => {
  const fixture = new URL('../fixtures/store-v1.json', import.meta.url);

  it('upgrades a DATA_FILE written by the previous bot, closed requests to the history', async () => {
    await copyFile(fixture, file);
    const original = await readFile(file, 'utf8');
    const old = JSON.parse(original) as { requests: Record<string, V1Request> };
    const upgraded = Object.values(old.requests).map(upgradeRequest);
    expect(await inspectLowdbStore(file)).toMatchObject({
      version: 1,
      live: 9,
      history: undefined,
    });

    const store = await openLowdbStore({ dataFile: file });
    expect(store.stats()).toMatchObject({ upgradedFrom: 1, live: 5, history: 4 });
    for (const request of upgraded) expect(await store.get(request.id)).toEqual(request);
    expect((await store.listOpen()).map((r) => r.id)).toEqual(
      upgraded.filter((r) => !isClosed(r)).map((r) => r.id),
    );
    await store.close();

    const data = await readJson(file);
    expect(data.version).toBe(2);
    expect(Object.keys(data.requests).sort()).toEqual([
      'ak-approved',
      'ak-done-unposted',
      'ak-executing',
      'ak-keyid',
      'ak-pending',
    ]);
    expect((await historyLines()).map((l) => JSON.parse(l).id).sort()).toEqual([
      'ak-done',
      'ak-expired',
      'ak-failed',
      'ak-rejected',
    ]);
    // The old file is kept once, as it was.
    expect(await readFile(`${file}.v1-backup`, 'utf8')).toBe(original);
    const again = await openLowdbStore({ dataFile: file });
    expect(again.stats()).not.toHaveProperty('upgradedFrom');
    expect(await again.get('ak-executing')).toEqual(upgraded.find((r) => r.id === 'ak-executing'));
    await again.close();
  });
});

describe('refusals', () => {
  it('points at the JSON error and leaves the file alone', async () => {
    const text = '{"version":2,\n"requests":{\n"r1": }\n}\n';
    await writeFile(file, text);
    const error = await openLowdbStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('line 3, column 7');
    expect(message).toContain('will not overwrite');
    expect(message).toContain('move it aside');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it.each([
    ['a truncated file', '{"version":2,"requests":{"r1":{"id"', 'looks truncated'],
    ['an empty file', '', 'is empty'],
    ['JSON null', 'null', 'expected an object'],
    ['a list', '[]', 'expected an object'],
    ['an unknown version', '{"version":0,"requests":{}}', '"version" is 0'],
    ['a newer version', '{"version":3,"requests":{}}', 'newer version'],
    ['requests as a list', '{"version":2,"requests":[]}', '"requests" is not an object'],
    [
      'a request under the wrong key',
      v2(makeRequest('r1')).replace('"r1":', '"r2":'),
      'requests["r2"].id does not match',
    ],
    [
      'an unknown status',
      v2({ ...makeRequest('r1'), status: 'weird' as 'pending' }),
      'requests["r1"].status is "weird"',
    ],
    [
      'an unknown kind',
      v2({ ...makeRequest('r1'), kind: 'reboot' as 'restart' }),
      'requests["r1"].kind is "reboot"',
    ],
    [
      'format 2 requests in a format 1 file',
      v2(makeRequest('r1')).replace('"version":2', '"version":1'),
      'requests["r1"].batches is not a list',
    ],
  ])('refuses %s without touching it', async (_what, text, expected) => {
    await writeFile(file, text);
    const error = await openLowdbStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('explains a DATA_FILE that points at a directory', async () => {
    await mkdir(file);
    const error = await openLowdbStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(`${file}: it is a directory`);
  });

  it('explains a DATA_FILE under a path that is a file', async () => {
    await writeFile(join(dir, 'plain'), 'x');
    const error = await openLowdbStore({ dataFile: join(dir, 'plain', 'db.json') }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(join(dir, 'plain'));
  });

  it.skipIf(process.getuid?.() === 0)('explains a file it may not read', async () => {
    await writeFile(file, v2());
    await chmod(file, 0o000);
    const error = await openLowdbStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain('permission denied');
  });

  it('refuses calls once closed', async () => {
    const store = await openLowdbStore({ dataFile: file });
    await store.close();
    await expect(store.get('r1')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(store.insert(makeRequest('r1'))).rejects.toMatchObject({ code: 'store_closed' });
    expect(await store.ping()).toBe(false);
  });
});
