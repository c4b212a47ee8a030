import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHistoryFile } from '../src/store/lowdb-store.js';
import { openPgDatabase } from '../src/store/pg-connection.js';
import { migrate } from '../src/store/pg-schema.js';
import { createTestDatabase, findPgServer, type TestDatabase } from '../test/support/pg.js';
import {
  median,
  percentile,
  progress,
  round,
  roundSpread,
  type Spread,
  spreadOf,
} from './stats.js';
import {
  finishedRequest,
  LIVE_REQUESTS,
  liveRequest,
  pgRows,
  SEED_AUDIENCE,
  SEED_HEADERS,
  SEED_STEPS,
  writeLowdbFiles,
} from './store-data.js';
import type { StoreProbeResult } from './store-probe.js';

// Store cost, lowdb and PostgreSQL side by side: N finished requests stored (lowdb: in the
// history beside DATA_FILE) and a few live ones, opened in a fresh child process per probe so RSS
// belongs to the store alone. A write is a state change of a live request, durable when it
// resolves; a read is get() of a random finished one.

export type StoreKind = 'lowdb' | 'postgres';

export interface StoreSize {
  requests: number;
  writes: number;
  probes: number;
}

export interface StoreRow {
  store: StoreKind;
  /** Finished requests stored. */
  requests: number;
  live: number;
  /** Median, p95 and p99 of one state-change `update`, over every probe. */
  writeMs: number;
  writeP95Ms: number;
  writeP99Ms: number;
  /** Median and p99 of one `get` of a finished request. */
  readMs: number;
  readP99Ms: number;
  /** Median and p99 of a one-step journal write of an executing 5,000-instance request. */
  stepWriteMs: number;
  stepWriteP99Ms: number;
  listOpenMs: number;
  recentMs: number;
  loadMs: number;
  storedBytes: number;
  /** RSS of a process that only opened the store (median over probes), and with an empty one. */
  rssBytes: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  probes: number;
  writesPerProbe: number;
  spread: { writeMs: Spread; rssBytes: Spread };
}

export async function runStoreBenchmark(
  probePath: string,
  options: { lowdb: readonly StoreSize[]; postgres: readonly StoreSize[]; reads: number },
): Promise<StoreRow[]> {
  const rows: StoreRow[] = [];
  // Not bot-env's helper: that module loads the bot, which the store rows do not need.
  const dir = await mkdtemp(join(tmpdir(), 'attach-key-bench-store-'));
  let baseline: number;
  try {
    const empty = join(dir, 'empty.json');
    await writeLowdbFiles(empty, defaultHistoryFile(empty), 0);
    baseline = (await runProbe(probePath, ['lowdb', empty, '0', '1', '0'])).rssBytes;
    for (const size of options.lowdb) {
      const file = join(dir, `store-${size.requests}.json`);
      await writeLowdbFiles(file, defaultHistoryFile(file), size.requests);
      const results: StoreProbeResult[] = [];
      for (let p = 0; p < size.probes; p++) {
        results.push(await runProbe(probePath, args('lowdb', file, size, options.reads)));
      }
      rows.push(report('lowdb', size, results, baseline));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (options.postgres.length > 0) rows.push(...(await runPostgres(probePath, options, baseline)));
  return rows;
}

async function runPostgres(
  probePath: string,
  options: { postgres: readonly StoreSize[]; reads: number },
  baselineRssBytes: number,
): Promise<StoreRow[]> {
  const server = await findPgServer();
  if (!server.available) {
    progress(`store: PostgreSQL rows skipped (${server.reason})`);
    return [];
  }
  const rows: StoreRow[] = [];
  for (const size of options.postgres) {
    const database = await createTestDatabase();
    try {
      const started = performance.now();
      await seedPostgres(database, size.requests);
      progress(
        `store: seeded ${size.requests} requests in ${Math.round(performance.now() - started)} ms`,
      );
      const results: StoreProbeResult[] = [];
      for (let p = 0; p < size.probes; p++) {
        results.push(
          await runProbe(probePath, args('postgres', database.url, size, options.reads)),
        );
      }
      rows.push(report('postgres', size, results, baselineRssBytes));
    } finally {
      await database.drop();
    }
  }
  return rows;
}

async function seedPostgres(database: TestDatabase, count: number): Promise<void> {
  const db = openPgDatabase(database.url);
  try {
    await migrate(db);
    const batch = 2_000;
    for (let start = 0; start < count; start += batch) {
      const requests = Array.from({ length: Math.min(batch, count - start) }, (_, k) =>
        finishedRequest(start + k, count),
      );
      if (start === 0) {
        requests.push(...Array.from({ length: LIVE_REQUESTS }, (_, i) => liveRequest(i)));
      }
      const { headers, steps, audience } = pgRows(requests);
      await db.pool.query(SEED_HEADERS, [headers]);
      await db.pool.query(SEED_STEPS, [steps]);
      await db.pool.query(SEED_AUDIENCE, [audience]);
    }
    await db.pool.query('VACUUM ANALYZE');
  } finally {
    await db.release();
  }
}

function args(kind: StoreKind, location: string, size: StoreSize, reads: number): string[] {
  return [kind, location, String(size.requests), String(size.writes), String(reads)];
}

function report(
  store: StoreKind,
  size: StoreSize,
  results: StoreProbeResult[],
  baselineRssBytes: number,
): StoreRow {
  const writes = results.flatMap((r) => r.writeMs);
  const reads = results.flatMap((r) => r.readMs);
  const steps = results.flatMap((r) => r.stepWriteMs);
  const rss = results.map((r) => r.rssBytes);
  const row: StoreRow = {
    store,
    requests: size.requests,
    live: LIVE_REQUESTS,
    writeMs: round(median(writes)),
    writeP95Ms: round(percentile(writes, 95)),
    writeP99Ms: round(percentile(writes, 99)),
    readMs: round(median(reads)),
    readP99Ms: round(percentile(reads, 99)),
    stepWriteMs: round(median(steps)),
    stepWriteP99Ms: round(percentile(steps, 99)),
    listOpenMs: round(median(results.map((r) => r.listOpenMs))),
    recentMs: round(median(results.map((r) => r.recentMs))),
    loadMs: round(median(results.map((r) => r.loadMs))),
    storedBytes: results[0]?.storedBytes ?? 0,
    rssBytes: Math.round(median(rss)),
    baselineRssBytes,
    peakRssBytes: Math.round(median(results.map((r) => r.peakRssBytes))),
    probes: results.length,
    writesPerProbe: size.writes,
    spread: {
      writeMs: roundSpread(spreadOf(results.map((r) => median(r.writeMs)))),
      rssBytes: spreadOf(rss),
    },
  };
  progress(
    `store ${store} ${size.requests} finished: write ${row.writeMs} ms (p99 ${row.writeP99Ms}), ` +
      `read ${row.readMs} ms, step write ${row.stepWriteMs} ms, RSS ${(row.rssBytes / 1e6).toFixed(0)} MB`,
  );
  return row;
}

function runProbe(probePath: string, argv: string[]): Promise<StoreProbeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(probePath, argv, {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: StoreProbeResult | undefined;
    child.on('message', (message: StoreProbeResult) => {
      result = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`store probe exited with ${code} and no result`));
    });
  });
}
