import { spawn } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import {
  defaultChangeLogFile,
  inspectLowdbStore,
  openLowdbStore,
} from '../../src/store/lowdb-store.js';
import { readLive, useStoreDir } from '../support/lowdb-dir.js';
import { makeRequest } from '../support/store-fixtures.js';

// The lowdb store's change log (issue 20): a journal round appends what changed beside DATA_FILE
// instead of rewriting it; the next open replays it (a torn last line ignored) and folds it in.

const paths = useStoreDir();
const changeLog = () => defaultChangeLogFile(paths.file);
const logLines = async () => (await readFile(changeLog(), 'utf8')).split('\n').filter(Boolean);

const stepsOf = (count: number, size: number): Step[] =>
  Array.from({ length: count }, (_, index) => ({
    index,
    phase: 0,
    action: 'AttachKeyPair',
    instanceIds: Array.from({ length: size }, (_, i) => `i-${index}-${i}`),
    state: 'planned',
    sendCount: 0,
  }));

const answer = (c: MutationRequest, index: number): MutationRequest => ({
  ...c,
  steps: c.steps.map((s) => (s.index === index ? { ...s, state: 'done', sendCount: 1 } : s)),
});

describe('the change log', () => {
  it('writes a step change as a line of that step, and the next open replays it', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    const big = makeRequest('r1', {
      status: 'executing',
      remindedAt: '2026-12-06T10:00:00.000Z',
      steps: stepsOf(50, 100),
    });
    await store.insert(big);
    const dataBefore = await readFile(paths.file, 'utf8');
    await store.update('r1', (c) => ({ ok: true, request: answer(c, 7) }));
    await store.update('r1', (c) => {
      const { remindedAt: _gone, ...rest } = c;
      return { ok: true, request: { ...rest, status: 'done' } };
    });
    // DATA_FILE untouched by the rounds; two small lines after the insert's.
    expect(await readFile(paths.file, 'utf8')).toBe(dataBefore);
    const [put, step, status] = await logLines();
    expect(JSON.parse(put as string)).toMatchObject({ e: 1, id: 'r1', put: { id: 'r1' } });
    expect(JSON.parse(step as string)).toEqual({
      e: 1,
      id: 'r1',
      set: {},
      unset: [],
      steps: { 7: { ...big.steps[7], state: 'done', sendCount: 1 } },
      n: 50,
    });
    expect((step as string).length).toBeLessThan((put as string).length / 20);
    expect(JSON.parse(status as string)).toEqual({
      e: 1,
      id: 'r1',
      set: { status: 'done' },
      unset: ['remindedAt'],
      steps: {},
      n: 50,
    });
    const expected = await store.get('r1');
    // The doctor's look at the files counts what is only in the change log yet.
    expect(JSON.parse(dataBefore).requests).toEqual({});
    expect(await inspectLowdbStore(paths.file)).toMatchObject({ live: 1 });
    // As a killed process leaves it (no close): the next open replays and folds the log in.
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(await again.get('r1')).toEqual(expected);
    expect(await logLines()).toEqual([]);
    expect(JSON.parse(await readFile(paths.file, 'utf8'))).toMatchObject({ epoch: 2 });
    await again.close();
    await store.close();
  });

  it('ignores a torn last line, and lines of an epoch already folded in', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(makeRequest('r1', { steps: stepsOf(3, 2) }));
    await store.update('r1', (c) => ({ ok: true, request: answer(c, 1) }));
    await store.flush();
    const expected = await store.get('r1');
    // A line from before the last compaction (epoch 0) and an append cut short by a crash.
    await writeFile(
      changeLog(),
      `{"e":0,"id":"r1","set":{"status":"rejected"},"unset":[],"steps":{},"n":3}\n${await readFile(changeLog(), 'utf8')}{"e":1,"id":"r1","set":{"sta`,
    );
    expect((await readLive(paths.file)).torn).toBe(true);
    const again = await openLowdbStore({ dataFile: paths.file });
    expect(await again.get('r1')).toEqual(expected);
    expect(again.stats()).toMatchObject({ tornChangeLine: true, changeLogBytes: 0 });
    // The next append starts a clean line.
    await again.update('r1', (c) => ({ ok: true, request: answer(c, 2) }));
    expect((await readLive(paths.file)).requests.r1?.steps[2]?.state).toBe('done');
    await again.close();
    await store.close();
  });

  it('refuses a damaged line before the last, and leaves both files alone', async () => {
    const store = await openLowdbStore({ dataFile: paths.file });
    await store.insert(makeRequest('r1'));
    await store.flush();
    await appendFile(changeLog(), 'not json\n{"e":1,"id":"r1","del":true}\n');
    const [data, log] = [await readFile(paths.file), await readFile(changeLog())];
    await expect(openLowdbStore({ dataFile: paths.file })).rejects.toMatchObject({
      code: 'store_corrupt',
      message: expect.stringContaining('damaged line 2'),
    });
    expect(await readFile(paths.file)).toEqual(data);
    expect(await readFile(changeLog())).toEqual(log);
    await store.close();
  });

  it('folds the log into DATA_FILE once it passes the threshold', async () => {
    const store = await openLowdbStore({ dataFile: paths.file, compactBytes: 4_000 });
    await store.insert(makeRequest('r1', { steps: stepsOf(40, 5) }));
    for (let i = 0; i < 40; i++)
      await store.update('r1', (c) => ({ ok: true, request: answer(c, i) }));
    const stats = store.stats();
    expect(stats.compactions).toBeGreaterThan(1);
    // Never far past the threshold (or 4 × DATA_FILE, about 3 KB here).
    expect(stats.changeLogBytes).toBeLessThan(4 * stats.fileBytes + 1_000);
    expect((await readLive(paths.file)).requests.r1?.steps.every((s) => s.state === 'done')).toBe(
      true,
    );
    await store.close();
  });
});

describe('kill -9 while the change log is written', () => {
  it('keeps every acknowledged change, and opens clean', async () => {
    const writer = fileURLToPath(new URL('../support/change-log-writer.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    // A small threshold: the child compacts now and then too.
    const child = spawn(process.execPath, ['--import', tsx, writer, paths.file, '65536'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = -1;
    let compactions = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const match = /^acked (\d+) (\d+)$/.exec(line);
          if (match) [acked, compactions] = [Number(match[1]), Number(match[2])];
        }
        if (acked >= 1_000 && compactions >= 2) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    // Killed past its open's compaction and at least one at the threshold.
    expect(compactions).toBeGreaterThanOrEqual(2);
    const store = await openLowdbStore({ dataFile: paths.file });
    const request = await store.get('r1');
    const applied = (request?.steps ?? []).reduce((sum, s) => sum + s.sendCount, 0);
    // Every acknowledged change is there; at most the one (or two) in flight besides.
    expect(applied).toBeGreaterThanOrEqual(acked + 1);
    expect(applied).toBeLessThanOrEqual(acked + 3);
    expect(store.stats().changeLogBytes).toBe(0);
    await store.close();
  }, 30_000);
});
