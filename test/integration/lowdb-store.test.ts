import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { readLiveState } from '../../src/store/change-log.js';
import {
  defaultChangeLogFile,
  defaultHistoryFile,
  openLowdbStore,
} from '../../src/store/lowdb-store.js';
import { linesOf, readLive, useStoreDir, v2 } from '../support/lowdb-dir.js';
import { closedRequest, makeRequest } from '../support/store-fixtures.js';

// What only the lowdb store does: its files. The behaviour both stores share is in
// store-contract.test.ts.

const paths = useStoreDir();
const historyLines = () => linesOf(paths.historyFile);

describe('files', () => {
  it('creates a missing directory and writes compact versioned JSON', async () => {
    const nested = join(paths.dir, 'nested', 'deeper', 'db.json');
    const store = await openLowdbStore({ dataFile: nested });
    expect(await store.recent({ limit: 10 })).toEqual([]);
    // The open wrote the new DATA_FILE; the insert went to the change log beside it.
    expect(JSON.parse(await readFile(nested, 'utf8'))).toEqual({
      version: 2,
      epoch: 1,
      requests: {},
    });
    await store.insert(makeRequest('r1'));
    expect(await readLive(nested)).toMatchObject({ requests: { r1: makeRequest('r1') } });
    expect(store.stats()).toMatchObject({ live: 1, history: 0, writes: 2, compactions: 1 });
    expect(store.stats().changeLogBytes).toBeGreaterThan(0);
    await store.close();
    // A clean close folds the log in: DATA_FILE holds everything, the log is empty.
    const text = await readFile(nested, 'utf8');
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({ version: 2, epoch: 2, requests: { r1: makeRequest('r1') } });
    expect(await readFile(defaultChangeLogFile(nested), 'utf8')).toBe('');
    expect(defaultHistoryFile(nested)).toBe(
      join(paths.dir, 'nested', 'deeper', 'db.history.jsonl'),
    );
    expect(defaultChangeLogFile(nested)).toBe(
      join(paths.dir, 'nested', 'deeper', 'db.changes.jsonl'),
    );
  });

  it('moves a closed request from DATA_FILE to the history, once its results are posted', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(makeRequest('r1', { status: 'executing' }));
    await store.update('r1', (c) => ({ ok: true, request: { ...c, status: 'done' } }));
    await store.flush();
    // Done but not posted: still live.
    expect(Object.keys((await readLive(paths.file)).requests)).toEqual(['r1']);
    await store.update('r1', (c) => ({ ok: true, request: { ...c, resultsPostedAt: 'now' } }));
    await store.flush();
    expect((await readLive(paths.file)).requests).toEqual({});
    const lines = await historyLines();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      makeRequest('r1', { status: 'done', resultsPostedAt: 'now' }),
    ]);
    expect(store.stats()).toMatchObject({ live: 0, history: 1 });
    await store.close();
  });

  it('leaves the stored value and the paths.file untouched on a refusal', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(makeRequest('r1'));
    const bytes = await readFile(paths.file);
    const writes = store.stats().writes;
    const before = await store.get('r1');
    await store.update('r1', () => ({ ok: false, refusal: { reason: 'no' } }));
    expect(await store.get('r1')).toBe(before);
    expect(store.stats().writes).toBe(writes);
    expect(await readFile(paths.file)).toEqual(bytes);
    await store.close();
  });

  it('coalesces concurrent writes and resolves each update only once its change is on disk', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(makeRequest('r1', { instanceIds: [] }));
    const writesBefore = store.stats().writes;
    const onDiskAtResolve: boolean[] = [];
    const append = (id: string) =>
      store.update('r1', (c) => ({
        ok: true,
        request: { ...c, instanceIds: [...c.instanceIds, id] },
      }));
    const updates = Array.from({ length: 20 }, (_, i) =>
      append(`i-${i}`).then(() => {
        const stored = readLiveState(paths.file, defaultChangeLogFile(paths.file)).requests.r1;
        onDiskAtResolve[i] = stored?.instanceIds.includes(`i-${i}`) ?? false;
      }),
    );
    // More updates while the first write is in flight join the next one.
    await Promise.resolve();
    const late = append('i-late');
    await Promise.all([...updates, late]);
    expect(onDiskAtResolve).toEqual(Array(20).fill(true));
    const written = store.stats().writes - writesBefore;
    expect(written).toBeGreaterThanOrEqual(1);
    expect(written).toBeLessThanOrEqual(3);
    expect((await readLive(paths.file)).requests.r1?.instanceIds).toHaveLength(21);
    await store.close();
  });

  it('removes a request that is on its way to the history', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(closedRequest('r1'));
    // The insert is on disk; its move to the history has started but not finished.
    await store.remove('r1');
    expect(await store.get('r1')).toBeUndefined();
    await store.close();
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(await again.get('r1')).toBeUndefined();
    expect(again.stats()).toMatchObject({ live: 0, history: 0 });
    await again.close();
  });

  it('treats ids as data, even __proto__', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    expect(await store.get('toString')).toBeUndefined();
    await store.insert(makeRequest('__proto__'));
    await store.insert(closedRequest('constructor'));
    await store.close();
    const reopened = await openLowdbStore({ dataFile: paths.file });
    expect((await reopened.get('__proto__'))?.id).toBe('__proto__');
    expect((await reopened.get('constructor'))?.id).toBe('constructor');
    expect((await reopened.recent({ limit: 5 })).map((r) => r.id).sort()).toEqual([
      '__proto__',
      'constructor',
    ]);
    await reopened.close();
  });

  it('rewrites the history without what retention archived', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(closedRequest('old', { finishedAt: '2025-01-01T00:00:00.000Z' }));
    await store.insert(closedRequest('new', { finishedAt: '2025-03-01T00:00:00.000Z' }));
    await store.flush();
    // A second version of `new`: the history holds two lines for it until the rewrite.
    await store.update('new', (c) => ({ ok: true, request: { ...c, remindedAt: 'x' } }));
    expect(await historyLines()).toHaveLength(3);
    await store.archiveFinished(new Date('2025-02-01T00:00:00.000Z'), async () => {});
    expect((await historyLines()).map((l) => JSON.parse(l).id)).toEqual(['new']);
    expect((await store.get('new'))?.remindedAt).toBe('x');
    await store.close();
    const again = await openLowdbStore({ dataFile: paths.file });
    expect((await again.recent({ limit: 5 })).map((r) => r.id)).toEqual(['new']);
    await again.close();
  });

  it('rewrites the history around torn, superseded and unterminated lines', async () => {
    const old = (id: string) => closedRequest(id, { finishedAt: '2025-01-01T00:00:00.000Z' });
    const kept = (id: string, extra = {}) =>
      closedRequest(id, { finishedAt: '2025-03-01T00:00:00.000Z', ...extra });
    const line = (r: MutationRequest) => `${JSON.stringify(r)}\n`;
    await writeFile(
      paths.historyFile,
      line(kept('a')) +
        line(old('gone-1')) +
        '{"id":"torn","sta\n' +
        line(kept('b', { remindedAt: 'first' })) +
        line(kept('c')) +
        line(kept('b', { remindedAt: 'second' })) +
        line(old('gone-2')) +
        JSON.stringify(kept('d')),
    );
    const store = await openLowdbStore({ dataFile: paths.file });
    expect(store.stats()).toMatchObject({ history: 6, skippedHistoryLines: 1 });
    const removed = await store.archiveFinished(
      new Date('2025-02-01T00:00:00.000Z'),
      async () => {},
    );
    expect(removed.map((r) => r.id).sort()).toEqual(['gone-1', 'gone-2']);
    const expected = [kept('a'), kept('c'), kept('b', { remindedAt: 'second' }), kept('d')];
    expect((await historyLines()).map((l) => JSON.parse(l))).toEqual(expected);
    for (const r of expected) expect(await store.get(r.id)).toEqual(r);
    // Appends go on after the rewrite, on a fresh line.
    await store.insert(kept('e'));
    await store.close();
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(again.stats()).toMatchObject({ history: 5, skippedHistoryLines: 0 });
    expect(await again.get('d')).toEqual(kept('d'));
    expect(await again.get('e')).toEqual(kept('e'));
    await again.close();
  });

  it('keeps a request that changed while it was being recorded', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(closedRequest('r1', { finishedAt: '2025-01-01T00:00:00.000Z' }));
    await store.flush();
    const removed = await store.archiveFinished(new Date('2025-02-01T00:00:00.000Z'), async () => {
      await store.update('r1', (c) => ({ ok: true, request: { ...c, remindedAt: 'x' } }));
    });
    expect(removed).toEqual([]);
    expect((await store.get('r1'))?.remindedAt).toBe('x');
    await store.close();
  });
});

describe('crashes', () => {
  it('skips a torn history line and starts the next one on a fresh line', async () => {
    const first = await openLowdbStore({ dataFile: paths.file });
    await first.insert(closedRequest('r1'));
    await first.close();
    // A crash in the middle of appending the next line.
    await appendFile(paths.historyFile, '{"id":"r2","kind":"attach","status":"do');
    const second = await openLowdbStore({ dataFile: paths.file });
    expect(second.stats()).toMatchObject({ history: 1, skippedHistoryLines: 1 });
    expect(await second.get('r1')).toEqual(closedRequest('r1'));
    await second.insert(closedRequest('r3'));
    await second.close();
    const lines = (await readFile(paths.historyFile, 'utf8')).split('\n');
    expect(lines[1]).toBe('{"id":"r2","kind":"attach","status":"do');
    const third = await openLowdbStore({ dataFile: paths.file });
    expect((await third.recent({ limit: 5 })).map((r) => r.id).sort()).toEqual(['r1', 'r3']);
    await third.close();
  });

  it('finishes a move cut short between the history append and the DATA_FILE rewrite', async () => {
    // The crash left r1 in both files; DATA_FILE's copy is the newer one.
    const older = closedRequest('r1', { remindedAt: 'older' });
    const newer = closedRequest('r1', { remindedAt: 'newer' });
    await writeFile(paths.historyFile, `${JSON.stringify(older)}\n`);
    await writeFile(paths.file, v2(newer, makeRequest('r2')));
    const store = await openLowdbStore({ dataFile: paths.file });
    expect(await store.get('r1')).toEqual(newer);
    expect(Object.keys((await readLive(paths.file)).requests)).toEqual(['r2']);
    expect((await historyLines()).map((l) => JSON.parse(l))).toEqual([older, newer]);
    await store.close();
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(await again.get('r1')).toEqual(newer);
    expect(again.stats()).toMatchObject({ live: 1, history: 1 });
    await again.close();
  });

  it('lets an open live copy win over a closed history line of the same id', async () => {
    const reopened = makeRequest('r1', { status: 'done' });
    await writeFile(paths.historyFile, `${JSON.stringify(closedRequest('r1'))}\n`);
    await writeFile(paths.file, v2(reopened));
    const store = await openLowdbStore({ dataFile: paths.file });
    expect(await store.get('r1')).toEqual(reopened);
    expect((await store.listOpen()).map((r) => r.id)).toEqual(['r1']);
    expect(store.stats()).toMatchObject({ live: 1, history: 0 });
    await store.close();
  });
});

describe('health', () => {
  it.skipIf(process.platform !== 'linux')(
    'keeps a closed request in DATA_FILE while the history cannot be written',
    async () => {
      // /dev/full refuses every write with ENOSPC.
      const store = await openLowdbStore({ dataFile: paths.file, historyFile: '/dev/full' });
      await store.insert(closedRequest('r1'));
      await store.flush();
      expect(await store.ping()).toBe(false);
      expect(await store.get('r1')).toEqual(closedRequest('r1'));
      expect(Object.keys((await readLive(paths.file)).requests)).toEqual(['r1']);
      await store.insert(makeRequest('r2'));
      await store.close();
      // With a writable history the next start finishes the move.
      const again = await openLowdbStore({ dataFile: paths.file });
      expect(again.stats()).toMatchObject({ live: 1, history: 1 });
      expect(await again.get('r1')).toEqual(closedRequest('r1'));
      expect(await again.ping()).toBe(true);
      await again.close();
    },
  );

  it('reports unhealthy after a failed write and recovers on flush', async () => {
    // Every write a rewrite of DATA_FILE (the change log folded in at once).
    const store = await openLowdbStore({ dataFile: paths.file, compactBytes: 0 });
    await store.insert(makeRequest('r1'));
    // Occupy the temp name with a non-empty directory so steno's write to it fails.
    await mkdir(join(paths.dir, '.db.json.tmp', 'x'), { recursive: true });
    await expect(
      store.update('r1', (c) => ({ ok: true, request: { ...c, status: 'rejected' } })),
    ).rejects.toMatchObject({ code: 'store_write_failed' });
    expect(await store.ping()).toBe(false);
    expect((await readLive(paths.file)).requests.r1?.status).toBe('pending');

    await rm(join(paths.dir, '.db.json.tmp'), { recursive: true });
    await store.flush();
    expect(await store.ping()).toBe(true);
    // Rejected is closed: it went on to the history.
    expect((await readLive(paths.file)).requests).toEqual({});
    expect((await store.get('r1'))?.status).toBe('rejected');
    expect((await stat(paths.historyFile)).size).toBeGreaterThan(0);
    await store.close();
  });
});
