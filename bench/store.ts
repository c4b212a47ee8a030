import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientTokenFor } from '../src/domain/batches.js';
import type { AttachRequest } from '../src/domain/request.js';
import { makeDataDir, removeDir } from './bot-env.js';
import { instanceIds } from './load.js';
import {
  median,
  percentile,
  progress,
  round,
  roundSpread,
  type Spread,
  spreadOf,
} from './stats.js';
import type { StoreProbeResult } from './store-probe.js';

// Store cost: a file of N realistic finished requests (2 instances, one done batch with outcomes),
// opened in a fresh child process each time so RSS belongs to the store alone.

export interface StoreRow {
  requests: number;
  /** Median time of one `update` (a state change, written to disk before it resolves). */
  writeMs: number;
  /** Time of one `get`. */
  readMs: number;
  fileBytes: number;
  /** RSS of a process that only opened the store (median over probes). */
  rssBytes: number;
  /** The same probe with an empty store: the Node + modules baseline. */
  baselineRssBytes: number;
  peakRssBytes: number;
  loadMs: number;
  listByStatusMs: number;
  /**
   * Reference costs of a whole-file write, timed apart: a plain JSON.stringify of the store (the
   * store itself re-serialises only changed requests) and the write + rename of the file.
   */
  stringifyMs: number;
  fileWriteMs: number;
  recentMs: number;
  probes: number;
  writesPerProbe: number;
  spread: { writeMs: Spread; rssBytes: Spread };
  writeP95Ms: number;
}

export async function runStoreBenchmark(
  probePath: string,
  options: {
    sizes: readonly { requests: number; writes: number; probes: number }[];
    reads: number;
  },
): Promise<StoreRow[]> {
  const dir = await makeDataDir();
  try {
    const empty = join(dir, 'empty.json');
    await writeFile(empty, JSON.stringify({ version: 1, requests: {} }));
    const baseline = await runProbe(probePath, empty, 0, 0);
    const rows: StoreRow[] = [];
    for (const { requests: size, writes: writeCount, probes } of options.sizes) {
      const file = join(dir, `store-${size}.json`);
      await writeFile(file, JSON.stringify(storeFileOf(size)));
      const results: StoreProbeResult[] = [];
      for (let p = 0; p < probes; p++) {
        // Each probe writes to the file; start every probe from the same content.
        if (p > 0) await writeFile(file, JSON.stringify(storeFileOf(size)));
        results.push(await runProbe(probePath, file, writeCount, options.reads));
      }
      const writes = results.flatMap((r) => r.writeMs);
      const perProbeWrite = results.map((r) => median(r.writeMs));
      const rss = results.map((r) => r.rssBytes);
      const row: StoreRow = {
        requests: size,
        writeMs: round(median(writes)),
        readMs: round(median(results.map((r) => r.readMs))),
        fileBytes: results[0]?.fileBytes ?? 0,
        rssBytes: Math.round(median(rss)),
        baselineRssBytes: baseline.rssBytes,
        peakRssBytes: Math.round(median(results.map((r) => r.peakRssBytes))),
        loadMs: round(median(results.map((r) => r.loadMs))),
        listByStatusMs: round(median(results.map((r) => r.listByStatusMs))),
        stringifyMs: round(median(results.map((r) => r.stringifyMs))),
        fileWriteMs: round(median(results.map((r) => r.fileWriteMs))),
        recentMs: round(median(results.map((r) => r.recentMs))),
        probes: results.length,
        writesPerProbe: writeCount,
        spread: { writeMs: roundSpread(spreadOf(perProbeWrite)), rssBytes: spreadOf(rss) },
        writeP95Ms: round(percentile(writes, 95)),
      };
      rows.push(row);
      progress(
        `store ${size} requests: write ${row.writeMs} ms, read ${row.readMs} ms, ` +
          `file ${(row.fileBytes / 1e6).toFixed(1)} MB, RSS ${(row.rssBytes / 1e6).toFixed(0)} MB`,
      );
    }
    return rows;
  } finally {
    await removeDir(dir);
  }
}

function runProbe(
  probePath: string,
  file: string,
  writes: number,
  reads: number,
): Promise<StoreProbeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(probePath, [file, String(writes), String(reads)], {
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

/** N finished requests as they look after a normal approval: 2 instances, one done batch. */
function storeFileOf(count: number): { version: 1; requests: Record<string, AttachRequest> } {
  const requests: Record<string, AttachRequest> = {};
  const start = Date.now() - 25 * 86_400_000;
  const step = (25 * 86_400_000) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const id = `ak-${i.toString(36).padStart(8, '0')}`;
    const created = start + i * step;
    const iso = (offsetMs: number) => new Date(created + offsetMs).toISOString();
    const ids = instanceIds(2, 20);
    const ts = `${Math.floor(created / 1000)}.${String(i % 1_000_000).padStart(6, '0')}`;
    requests[id] = {
      id,
      status: 'done',
      requesterId: `U0REQ${String(i % 50).padStart(5, '0')}`,
      channelId: 'C0OPS00001',
      instanceIds: ids,
      keyPairName: 'ops-deploy-key',
      region: 'cn-beijing',
      createdAt: iso(0),
      expiresAt: iso(3_600_000),
      card: { channel: 'C0OPS00001', ts },
      decision: { kind: 'approved', by: 'U0APP00001', at: iso(60_000) },
      batches: [
        {
          index: 0,
          clientToken: clientTokenFor(id, 0),
          instanceIds: ids,
          state: 'done',
          sendCount: 1,
          sentAt: iso(60_100),
          finishedAt: iso(60_400),
          apiRequestId: `20250101${String(i).padStart(12, '0')}abcdef0123456789`,
          outcomes: ids.map((instanceId) => ({ instanceId, ok: true as const })),
        },
      ],
      resultsPostedAt: iso(60_600),
      finishedAt: iso(60_500),
    };
  }
  return { version: 1, requests };
}
