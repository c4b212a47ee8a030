import { MAX_BATCH_SIZE } from '../src/domain/batches.js';
import type { Rig } from './bot-env.js';
import { responseUrl } from './bot-env.js';
import { availableStores, startBotRun } from './bot-run.js';
import type { EcsCallRecord, FakesReport } from './host-protocol.js';
import { approveBody, instanceIds } from './load.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';
import type { StoreKind } from './store.js';

// Execution: from the approve click to the first message of the results thread, with the fake
// Volcengine API answering every call after a fixed latency, on each store. Each run uses a fresh
// bot and store. An attach is AttachKeyPair in batches of 100, VOLC_MAX_CONCURRENCY at a time,
// each batch read back (one DescribeInstances) as soon as it is answered, on a read budget of its
// own: the floor is the attach rounds plus one read.

export const API_LATENCY_MS = 100;

export interface ExecutionRow {
  store: StoreKind;
  instances: number;
  apiLatencyMs: number;
  concurrency: number;
  wallMs: number;
  floorMs: number;
  batches: number;
  /** wallMs / floorMs. */
  ratio: number;
  /** The target: 1.1 x floor + 30 ms from 1,000 instances, 1.2 x floor + 50 ms below. */
  limitMs: number;
  runs: number;
  spread: { wallMs: Spread };
  /** Click to the first AttachKeyPair call reaching the API (the key check included). */
  firstCallMs: number;
  /**
   * Click to the answer of the key pair check before the first call (issue 19: one
   * DescribeKeyPairs, a read of `apiLatencyMs` the floor does not count).
   */
  keyCheckMs: number;
  /** First AttachKeyPair arrival to the last one's answer (floor: rounds x latency). */
  attachMs: number;
  /** Last AttachKeyPair answer to the first Verify read arriving (negative: reads overlapped). */
  gapMs: number;
  /** First Verify DescribeInstances arrival to the last one's answer. */
  verifyMs: number;
  /** Last Verify answer to the results thread. */
  tailMs: number;
  /** DescribeInstances calls of the Verify step. */
  verifyCalls: number;
  /** Last AttachKeyPair answer to the last read-back's answer (floor: one latency). */
  lastReadMs: number;
  /** Read-backs that arrived before the last AttachKeyPair was answered. */
  overlappedReads: number;
  /**
   * The bot's turnaround between rounds: an AttachKeyPair answered to the next one arriving, the
   * k-th answer paired with the (k + concurrency)-th arrival (median).
   */
  turnaroundMs: number;
  /** How late the fake ECS wrote its answers, beyond the latency asked for (median). */
  apiLateMs: number;
  /** The most AttachKeyPair calls the API saw open at once. */
  maxInFlight: number;
}

interface Run {
  wallMs: number;
  firstCallMs: number;
  attachMs: number;
  gapMs: number;
  verifyMs: number;
  tailMs: number;
  lastReadMs: number;
  overlappedReads: number;
  keyCheckMs: number;
  turnaroundMs: number;
  apiLateMs: number;
  calls: number;
  verifyCalls: number;
  maxInFlight: number;
  concurrency: number;
}

export async function runExecutionBenchmark(
  rig: Rig,
  options: { sizes: readonly number[]; runs: number; stores: readonly StoreKind[] },
): Promise<ExecutionRow[]> {
  const rows: ExecutionRow[] = [];
  for (const store of await availableStores(options.stores)) {
    progress(`execution ${store}: warm-up (untimed)`);
    await runOnce(rig, store, 100);
    const runs = new Map<number, Run[]>();
    for (let r = 0; r < options.runs; r++) {
      for (const size of options.sizes) {
        const run = await runOnce(rig, store, size);
        runs.set(size, [...(runs.get(size) ?? []), run]);
        progress(
          `execution ${store} ${size} instances run ${r + 1}/${options.runs}: ${run.wallMs} ms ` +
            `(floor ${floorMs(size, run.concurrency)} ms; first call ${run.firstCallMs}, ` +
            `attach ${run.attachMs}, last read ${run.lastReadMs}, tail ${run.tailMs} ms; ` +
            `${run.overlappedReads}/${run.verifyCalls} reads during the attaches; ` +
            `max ${run.maxInFlight} in flight)`,
        );
      }
    }
    rows.push(...options.sizes.map((size) => toRow(store, size, runs.get(size) ?? [])));
  }
  return rows;
}

function toRow(store: StoreKind, size: number, list: readonly Run[]): ExecutionRow {
  const concurrency = list[0]?.concurrency ?? 0;
  const wall = median(list.map((x) => x.wallMs));
  const floor = floorMs(size, concurrency);
  const mid = (f: (r: Run) => number) => round(median(list.map(f)));
  return {
    store,
    instances: size,
    apiLatencyMs: API_LATENCY_MS,
    concurrency,
    wallMs: round(wall),
    floorMs: floor,
    batches: batchesFor(size),
    ratio: round(wall / floor),
    limitMs: limitMs(size, floor),
    runs: list.length,
    spread: { wallMs: roundSpread(spreadOf(list.map((x) => x.wallMs))) },
    firstCallMs: mid((r) => r.firstCallMs),
    attachMs: mid((r) => r.attachMs),
    gapMs: mid((r) => r.gapMs),
    verifyMs: mid((r) => r.verifyMs),
    tailMs: mid((r) => r.tailMs),
    verifyCalls: Math.max(...list.map((x) => x.verifyCalls)),
    lastReadMs: mid((r) => r.lastReadMs),
    keyCheckMs: mid((r) => r.keyCheckMs),
    turnaroundMs: mid((r) => r.turnaroundMs),
    apiLateMs: mid((r) => r.apiLateMs),
    overlappedReads: mid((r) => r.overlappedReads),
    maxInFlight: Math.max(...list.map((x) => x.maxInFlight)),
  };
}

export function batchesFor(instances: number): number {
  return Math.ceil(instances / MAX_BATCH_SIZE);
}

/** Rounds of `concurrency` AttachKeyPair batches, then the last batch's read-back. */
export function floorMs(instances: number, concurrency: number): number {
  const rounds = Math.ceil(batchesFor(instances) / concurrency);
  return rounds * API_LATENCY_MS + API_LATENCY_MS;
}

/** Issue 20: 1.1 x floor + 30 ms at 1,000 instances and more; 1.2 x floor + 50 ms below. */
export function limitMs(instances: number, floor: number): number {
  return round(instances >= 1_000 ? 1.1 * floor + 30 : 1.2 * floor + 50);
}

async function runOnce(rig: Rig, store: StoreKind, size: number): Promise<Run> {
  const bot = await startBotRun(rig, { store, ecsLatencyMs: API_LATENCY_MS });
  try {
    const card = await bot.submit(instanceIds(size));
    const before = (await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls' })).length;
    const body = approveBody({ ...card, responseUrl: responseUrl(bot.urls, 'click') });

    const clickedAt = Date.now();
    await bot.client.send(body);
    await rig.fakes.call({ op: 'waitForThreads', count: 1, timeoutMs: 60_000 });
    await rig.server.call({ op: 'settle' });
    const report = await rig.fakes.call<FakesReport>({ op: 'report' });
    const threadAt = new Map(report.threads).get(card.ts);
    if (threadAt === undefined) throw new Error('the results thread went to another message');
    if (report.responses > 0) throw new Error(`the click was refused: ${report.firstResponse}`);

    const calls = await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls', since: before });
    const attach = calls.filter((c) => c.action === 'AttachKeyPair');
    const verify = calls.filter((c) => c.action === 'DescribeInstances');
    const keys = calls.filter((c) => c.action === 'DescribeKeyPairs');
    const expected = batchesFor(size);
    if (attach.length !== expected || calls.some((c) => c.status !== 200)) {
      throw new Error(`expected ${expected} successful AttachKeyPair calls, got ${attach.length}`);
    }
    if (verify.length !== expected) {
      throw new Error(
        `expected ${expected} DescribeInstances reads to verify, got ${verify.length}`,
      );
    }
    const first = (list: EcsCallRecord[]) => Math.min(...list.map((c) => c.at));
    const answerOf = (c: EcsCallRecord) => c.answeredAt ?? c.at + API_LATENCY_MS;
    const answered = (list: EcsCallRecord[]) => Math.max(...list.map(answerOf));
    const arrivals = attach.map((c) => c.at).sort((a, b) => a - b);
    const answers = attach.map(answerOf).sort((a, b) => a - b);
    const turnarounds = answers
      .slice(0, Math.max(0, arrivals.length - bot.concurrency))
      .map((at, k) => (arrivals[k + bot.concurrency] as number) - at);
    return {
      wallMs: threadAt - clickedAt,
      firstCallMs: first(attach) - clickedAt,
      attachMs: answered(attach) - first(attach),
      gapMs: first(verify) - answered(attach),
      verifyMs: answered(verify) - first(verify),
      tailMs: threadAt - answered(verify),
      lastReadMs: answered(verify) - answered(attach),
      keyCheckMs: keys.length ? answered(keys) - clickedAt : 0,
      turnaroundMs: turnarounds.length ? median(turnarounds) : 0,
      apiLateMs: median(calls.map((c) => answerOf(c) - c.at - API_LATENCY_MS)),
      overlappedReads: verify.filter((c) => c.at < answered(attach)).length,
      calls: attach.length,
      verifyCalls: verify.length,
      maxInFlight: maxInFlight(
        attach.map((c) => c.at),
        API_LATENCY_MS,
      ),
      concurrency: bot.concurrency,
    };
  } finally {
    await bot.stop();
  }
}

/** The most calls the API had open at once, given its fixed answer latency. */
export function maxInFlight(arrivals: readonly number[], latencyMs: number): number {
  let most = 0;
  for (const at of arrivals) {
    const open = arrivals.filter((t) => t <= at && t > at - latencyMs).length;
    most = Math.max(most, open);
  }
  return most;
}
