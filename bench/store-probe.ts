import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openRequestStore } from '../src/store/lowdb-store.js';

// Child process: opens an existing store and nothing else, measures RSS once it is loaded, then
// times state-change writes and reads. Run with --expose-gc by plain node (see children.ts).
// Usage: node store-probe.js <data file> <writes> <reads>

export interface StoreProbeResult {
  requests: number;
  loadMs: number;
  /** RSS after loading and two full GCs: what the process keeps holding. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Peak RSS of the process while loading (it parses the whole file at once). */
  peakRssBytes: number;
  /** Reference costs: a plain JSON.stringify of the whole store, and writing + renaming the file. */
  stringifyMs: number;
  fileWriteMs: number;
  writeMs: number[];
  readMs: number;
  /** listByStatus (the expiry sweep) and recent(10) (`/attach-key history`): whole-store scans. */
  listByStatusMs: number;
  recentMs: number;
  fileBytes: number;
}

const [file, writesArg, readsArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

async function probe(): Promise<StoreProbeResult> {
  if (!file) throw new Error('usage: store-probe <data file> <writes> <reads>');
  const started = performance.now();
  const store = await openRequestStore({ dataFile: file });
  const loadMs = performance.now() - started;
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;

  let at = performance.now();
  const done = store.listByStatus(['done']);
  const listByStatusMs = performance.now() - at;
  at = performance.now();
  store.recent(10);
  const recentMs = performance.now() - at;
  const ids = done.map((r) => r.id);

  const writeMs: number[] = [];
  for (let i = 0; ids.length > 0 && i < Number(writesArg); i++) {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    const before = performance.now();
    const result = await store.update(id, (current) => ({
      ok: true,
      request: { ...current, resultsPostedAt: new Date().toISOString() },
    }));
    writeMs.push(performance.now() - before);
    if (!result.ok) throw new Error(`update of ${id} failed`);
  }

  const reads = ids.length > 0 ? Number(readsArg) : 0;
  const picks = Array.from({ length: reads }, () => ids[Math.floor(Math.random() * ids.length)]);
  at = performance.now();
  let found = 0;
  for (const id of picks) if (store.get(id as string)) found++;
  const readMs = reads > 0 ? (performance.now() - at) / reads : 0;
  if (found !== reads) throw new Error(`read ${found} of ${reads} requests`);
  await store.close();

  return {
    requests: store.stats().requests,
    loadMs,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    peakRssBytes,
    ...(await timeWholeFileWrite(file)),
    writeMs,
    readMs,
    listByStatusMs,
    recentMs,
    fileBytes: (await stat(file)).size,
  };
}

/** Median of 3: JSON.stringify of the whole store, then write-to-temp + rename as steno does. */
async function timeWholeFileWrite(
  path: string,
): Promise<{ stringifyMs: number; fileWriteMs: number }> {
  const data: unknown = JSON.parse(await readFile(path, 'utf8'));
  const stringify: number[] = [];
  const write: number[] = [];
  for (let i = 0; i < 3; i++) {
    let at = performance.now();
    const text = JSON.stringify(data);
    stringify.push(performance.now() - at);
    at = performance.now();
    const temp = join(dirname(path), `.probe-${i}.tmp`);
    await writeFile(temp, text);
    await rename(temp, path);
    write.push(performance.now() - at);
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[1] as number;
  return { stringifyMs: mid(stringify), fileWriteMs: mid(write) };
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
