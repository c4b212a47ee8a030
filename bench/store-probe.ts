import { stat } from 'node:fs/promises';
import { channelKey, DEFAULT_APPROVERS_KEY, userKey } from '../src/domain/audience.js';
import type { RequestStore } from '../src/service/ports.js';
import { defaultHistoryFile, openLowdbStore } from '../src/store/lowdb-store.js';
import { openPgDatabase } from '../src/store/pg-connection.js';
import { createPgStore } from '../src/store/pg-store.js';
import { largeRequest, withStepDone } from '../test/support/store-fixtures.js';
import { finishedId } from './store-data.js';

// Child process: opens a prepared store and nothing else, measures RSS once it is loaded, then
// times state-change writes to its live requests, reads of random finished ones, the listings,
// and the journal writes of a 5,000-instance request. Run with --expose-gc by plain node.
// Usage: node store-probe.js <lowdb|postgres> <data file | database url> <finished> <writes> <reads>

export interface StoreProbeResult {
  loadMs: number;
  /** RSS after loading and two full GCs: what the process keeps holding. */
  rssBytes: number;
  peakRssBytes: number;
  /** Sequential awaited update() calls, each a state change of a live request. */
  writeMs: number[];
  /** get() of random finished requests, one at a time. */
  readMs: number[];
  listOpenMs: number;
  /** `/attach-key history` of a requester in #ops who also approves: recentConcerning, 10. */
  recentMs: number;
  /** update() of one step of an executing 5,000-instance request (50 steps). */
  stepWriteMs: number[];
  /** lowdb: DATA_FILE + history; PostgreSQL: the database. */
  storedBytes: number;
}

const [kind, location, finishedArg, writesArg, readsArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

async function open(): Promise<RequestStore> {
  if (kind === 'lowdb') return openLowdbStore({ dataFile: location as string });
  return createPgStore(openPgDatabase(location as string));
}

async function time<T>(task: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await task();
  return [performance.now() - started, value];
}

async function probe(): Promise<StoreProbeResult> {
  if (!location || (kind !== 'lowdb' && kind !== 'postgres')) {
    throw new Error('usage: store-probe <lowdb|postgres> <location> <finished> <writes> <reads>');
  }
  const [loadMs, store] = await time(open);
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;

  // Warm the connection pool and prepared statements (PostgreSQL), as a running bot has.
  await store.get(finishedId(0));
  const [listOpenMs, live] = await time(() => store.listOpen());
  const recent: number[] = [];
  const keys = [channelKey('C0OPS00001'), userKey('U0REQ00007'), DEFAULT_APPROVERS_KEY];
  for (let i = 0; i < 5; i++) {
    recent.push((await time(() => store.recentConcerning({ keys, limit: 10 })))[0]);
  }
  if (live.length === 0) throw new Error('no live requests to write to');

  const writeMs: number[] = [];
  const base = Date.now();
  for (let i = 0; i < Number(writesArg); i++) {
    const id = (live[i % live.length] as { id: string }).id;
    const [ms, result] = await time(() =>
      store.update(id, (c) => ({
        ok: true,
        request: { ...c, remindedAt: new Date(base + i).toISOString() },
      })),
    );
    if (!result.ok) throw new Error(`update of ${id} failed`);
    writeMs.push(ms);
  }

  const finished = Number(finishedArg);
  const readMs: number[] = [];
  for (let i = 0; finished > 0 && i < Number(readsArg); i++) {
    const id = finishedId(Math.floor(Math.random() * finished));
    const [ms, found] = await time(() => store.get(id));
    if (!found) throw new Error(`read of ${id} found nothing`);
    readMs.push(ms);
  }

  const big = largeRequest(`big-${process.pid}`);
  await store.insert(big);
  const stepWriteMs: number[] = [];
  for (let index = 0; index < big.steps.length; index++) {
    const [ms] = await time(() =>
      store.update(big.id, (c) => ({ ok: true, request: withStepDone(c, index) })),
    );
    stepWriteMs.push(ms);
  }
  await store.remove(big.id);
  await store.close();

  return {
    loadMs,
    rssBytes: memory.rss,
    peakRssBytes,
    writeMs,
    readMs,
    listOpenMs,
    recentMs: recent.sort((a, b) => a - b)[2] as number,
    stepWriteMs,
    storedBytes: kind === 'lowdb' ? await lowdbBytes(location) : await pgBytes(location),
  };
}

async function lowdbBytes(file: string): Promise<number> {
  const sizes = await Promise.all([file, defaultHistoryFile(file)].map((f) => stat(f)));
  return sizes.reduce((sum, s) => sum + s.size, 0);
}

async function pgBytes(url: string): Promise<number> {
  const db = openPgDatabase(url);
  const result = await db.pool.query<{ bytes: string }>(
    'SELECT pg_database_size(current_database())::text AS bytes',
  );
  await db.release();
  return Number(result.rows[0]?.bytes ?? 0);
}

probe().then(
  (result) => {
    process.send?.(result);
    process.disconnect?.();
  },
  (error: unknown) => {
    process.stderr.write(`store probe failed: ${String(error)}\n`);
    process.exit(1);
  },
);
