import { MAX_BATCH_SIZE } from '../src/domain/batches.js';
import {
  botEnv,
  makeDataDir,
  type Rig,
  removeDir,
  responseUrl,
  SIGNING_SECRET,
} from './bot-env.js';
import type { FakesReport, FakeUrls, StartedServer, StoredCard } from './host-protocol.js';
import { approveBody, commandBody, createSignedClient, instanceIds } from './load.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';

// Execution: from the approve click to the first message of the results thread, with the fake
// Volcengine API answering every call after a fixed latency. Each run uses a fresh bot and store.

export const API_LATENCY_MS = 100;

export interface ExecutionRow {
  instances: number;
  apiLatencyMs: number;
  concurrency: number;
  wallMs: number;
  floorMs: number;
  batches: number;
  /** wallMs / floorMs. */
  ratio: number;
  /** The target: 1.2 x floor + 50 ms. */
  limitMs: number;
  runs: number;
  spread: { wallMs: Spread };
  /** Click to the first AttachKeyPair call reaching the API. */
  firstCallMs: number;
  /** Last AttachKeyPair answer (arrival + latency) to the results thread. */
  tailMs: number;
  /** The most AttachKeyPair calls the API saw open at once. */
  maxInFlight: number;
}

interface Run {
  wallMs: number;
  firstCallMs: number;
  tailMs: number;
  calls: number;
  maxInFlight: number;
  concurrency: number;
}

export async function runExecutionBenchmark(
  rig: Rig,
  options: { sizes: readonly number[]; runs: number },
): Promise<ExecutionRow[]> {
  progress('execution: warm-up (untimed)');
  await runOnce(rig, 100);
  const runs = new Map<number, Run[]>();
  for (let r = 0; r < options.runs; r++) {
    for (const size of options.sizes) {
      const run = await runOnce(rig, size);
      runs.set(size, [...(runs.get(size) ?? []), run]);
      progress(
        `execution ${size} instances run ${r + 1}/${options.runs}: ${run.wallMs} ms ` +
          `(floor ${floorMs(size, run.concurrency)} ms, ${run.calls} calls, ` +
          `max ${run.maxInFlight} in flight)`,
      );
    }
  }
  return options.sizes.map((size) => {
    const list = runs.get(size) ?? [];
    const concurrency = list[0]?.concurrency ?? 0;
    const wall = median(list.map((x) => x.wallMs));
    const floor = floorMs(size, concurrency);
    return {
      instances: size,
      apiLatencyMs: API_LATENCY_MS,
      concurrency,
      wallMs: round(wall),
      floorMs: floor,
      batches: batchesFor(size),
      ratio: round(wall / floor),
      limitMs: round(1.2 * floor + 50),
      runs: list.length,
      spread: { wallMs: roundSpread(spreadOf(list.map((x) => x.wallMs))) },
      firstCallMs: round(median(list.map((x) => x.firstCallMs))),
      tailMs: round(median(list.map((x) => x.tailMs))),
      maxInFlight: Math.max(...list.map((x) => x.maxInFlight)),
    };
  });
}

export function batchesFor(instances: number): number {
  return Math.ceil(instances / MAX_BATCH_SIZE);
}

export function floorMs(instances: number, concurrency: number): number {
  return Math.ceil(batchesFor(instances) / concurrency) * API_LATENCY_MS;
}

async function runOnce(rig: Rig, size: number): Promise<Run> {
  const { server: host, fakes } = rig;
  const urls = await fakes.call<FakeUrls>({ op: 'startFakes', ecsLatencyMs: API_LATENCY_MS });
  const dataDir = await makeDataDir();
  const env = botEnv(urls, dataDir, { MAX_INSTANCES_PER_REQUEST: '5000' });
  const started = await host.call<StartedServer>({ op: 'startBot', env });
  const client = createSignedClient(`http://127.0.0.1:${started.port}`, SIGNING_SECRET, 2);
  try {
    const ids = instanceIds(size);
    await client.send(commandBody(`${ids.join(' ')} key=bench-key`, responseUrl(urls, 'cmd')));
    const requestIds = await fakes.call<string[]>({ op: 'waitForCards', count: 1 });
    await host.call({ op: 'settle' });
    const [card] = await host.call<StoredCard[]>({ op: 'cards', requestIds });
    if (!card) throw new Error('the approval card was not stored');
    const body = approveBody({ ...card, responseUrl: responseUrl(urls, 'click') });

    const clickedAt = Date.now();
    await client.send(body);
    await fakes.call({ op: 'waitForThreads', count: 1, timeoutMs: 60_000 });
    await host.call({ op: 'settle' });
    const report = await fakes.call<FakesReport>({ op: 'report' });
    const threadAt = new Map(report.threads).get(card.ts);
    if (threadAt === undefined) throw new Error('the results thread went to another message');

    const expected = batchesFor(size);
    if (report.ecsCalls.length !== expected || report.ecsCalls.some((c) => c.status !== 200)) {
      throw new Error(
        `expected ${expected} successful AttachKeyPair calls, got ${report.ecsCalls.length}`,
      );
    }
    if (report.responses > 0) throw new Error(`the click was refused: ${report.firstResponse}`);
    const arrivals = report.ecsCalls.map((c) => c.at);
    return {
      wallMs: threadAt - clickedAt,
      firstCallMs: Math.min(...arrivals) - clickedAt,
      tailMs: threadAt - (Math.max(...arrivals) + API_LATENCY_MS),
      calls: arrivals.length,
      maxInFlight: maxInFlight(arrivals, API_LATENCY_MS),
      concurrency: started.maxConcurrency ?? 0,
    };
  } finally {
    await client.close();
    await host.call({ op: 'stop' });
    await fakes.call({ op: 'stopFakes' });
    await removeDir(dataDir);
  }
}

/** The most calls the API had open at once, given its fixed answer latency. */
function maxInFlight(arrivals: readonly number[], latencyMs: number): number {
  let most = 0;
  for (const at of arrivals) {
    const open = arrivals.filter((t) => t <= at && t > at - latencyMs).length;
    most = Math.max(most, open);
  }
  return most;
}
