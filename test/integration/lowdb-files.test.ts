import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isClosed } from '../../src/domain/lifecycle.js';
import { inspectLowdbStore, openLowdbStore } from '../../src/store/lowdb-store.js';
import { upgradeRequest, type V1Request } from '../../src/store/upgrade-v1.js';
import { linesOf, readJson, useStoreDir, v2 } from '../support/lowdb-dir.js';
import { makeRequest } from '../support/store-fixtures.js';

// The lowdb store's DATA_FILE: a format-1 file is upgraded, anything else it cannot read is
// refused with a message naming the file, and never touched.

const paths = useStoreDir();
const historyLines = () => linesOf(paths.historyFile);

describe('format 1', () => {
  const fixture = new URL('../fixtures/store-v1.json', import.meta.url);

  it('upgrades a DATA_FILE written by the previous bot, closed requests to the history', async () => {
    await copyFile(fixture, paths.file);
    const original = await readFile(paths.file, 'utf8');
    const old = JSON.parse(original) as { requests: Record<string, V1Request> };
    const upgraded = Object.values(old.requests).map(upgradeRequest);
    expect(await inspectLowdbStore(paths.file)).toMatchObject({
      version: 1,
      live: 9,
      history: undefined,
    });

    const store = await openLowdbStore({ dataFile: paths.file });
    expect(store.stats()).toMatchObject({ upgradedFrom: 1, live: 5, history: 4 });
    for (const request of upgraded) expect(await store.get(request.id)).toEqual(request);
    expect((await store.listOpen()).map((r) => r.id)).toEqual(
      upgraded.filter((r) => !isClosed(r)).map((r) => r.id),
    );
    await store.close();

    const data = await readJson(paths.file);
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
    expect(await readFile(`${paths.file}.v1-backup`, 'utf8')).toBe(original);
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(again.stats()).not.toHaveProperty('upgradedFrom');
    expect(await again.get('ak-executing')).toEqual(upgraded.find((r) => r.id === 'ak-executing'));
    await again.close();
  });
});

describe('refusals', () => {
  it('points at the JSON error and leaves the paths.file alone', async () => {
    const text = '{"version":2,\n"requests":{\n"r1": }\n}\n';
    await writeFile(paths.file, text);
    const error = await openLowdbStore({ dataFile: paths.file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    const message = (error as Error).message;
    expect(message).toContain(paths.file);
    expect(message).toContain('line 3, column 7');
    expect(message).toContain('will not overwrite');
    expect(message).toContain('move it aside');
    expect(await readFile(paths.file, 'utf8')).toBe(text);
  });

  it.each([
    ['a truncated paths.file', '{"version":2,"requests":{"r1":{"id"', 'looks truncated'],
    ['an empty paths.file', '', 'is empty'],
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
      'format 2 requests in a format 1 paths.file',
      v2(makeRequest('r1')).replace('"version":2', '"version":1'),
      'requests["r1"].batches is not a list',
    ],
  ])('refuses %s without touching it', async (_what, text, expected) => {
    await writeFile(paths.file, text);
    const error = await openLowdbStore({ dataFile: paths.file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).toContain(paths.file);
    expect(await readFile(paths.file, 'utf8')).toBe(text);
  });

  it('explains a DATA_FILE that points at a directory', async () => {
    await mkdir(paths.file);
    const error = await openLowdbStore({ dataFile: paths.file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(`${paths.file}: it is a directory`);
  });

  it('explains a DATA_FILE under a path that is a paths.file', async () => {
    await writeFile(join(paths.dir, 'plain'), 'x');
    const error = await openLowdbStore({ dataFile: join(paths.dir, 'plain', 'db.json') }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(join(paths.dir, 'plain'));
  });

  it.skipIf(process.getuid?.() === 0)('explains a paths.file it may not read', async () => {
    await writeFile(paths.file, v2());
    await chmod(paths.file, 0o000);
    const error = await openLowdbStore({ dataFile: paths.file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain('permission denied');
  });

  it('refuses calls once closed', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.close();
    await expect(store.get('r1')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(store.insert(makeRequest('r1'))).rejects.toMatchObject({ code: 'store_closed' });
    expect(await store.ping()).toBe(false);
  });
});
