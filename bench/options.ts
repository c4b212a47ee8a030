import { setTimeout as sleep } from 'node:timers/promises';
import { blockSuggestion } from '../test/support/slack-requests.js';
import { botEnv, makeDataDir, type Rig, removeDir, SIGNING_SECRET } from './bot-env.js';
import type { FakeUrls, StartedServer } from './host-protocol.js';
import { CHANNEL, createSignedClient, instanceIds, REQUESTER } from './load.js';
import { percentile, progress, round } from './stats.js';

// Options latency: signed block_suggestion requests for the modal's instance picker, timed from
// dispatch to Slack's answer (the options JSON), against 10,000 instances behind the fake ECS
// answering every call after 100 ms. Three phases on one bot: "cold" while the region is still
// being listed in the background (names go to the cloud, prefixes to what is listed so far),
// "repeated" (the same texts again: the cache), and "listed" (new texts once the listing is in).

export const OPTIONS_LATENCY_MS = 100;
export const OPTIONS_INVENTORY = 10_000;
const REGION = 'cn-beijing';
const TEAMS = ['web', 'api', 'db', 'cache', 'batch', 'ops', 'ml', 'search', 'pay', 'auth'];

export interface OptionsPhase {
  phase: 'cold' | 'repeated' | 'listed';
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers whose first option was a hint (still listing, slow, busy …). */
  hinted: number;
  /** Answers with no option at all. */
  empty: number;
}

export interface OptionsRow {
  inventory: number;
  apiLatencyMs: number;
  concurrency: number;
  phases: OptionsPhase[];
  /** DescribeInstances calls the fake ECS answered over the whole run. */
  describeCalls: number;
}

/** What people type: name fragments, id prefixes, whole ids and an empty box, interleaved. */
function queries(ids: readonly string[], n: number, offset: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const id = ids[(k * 37) % ids.length] as string;
    const team = TEAMS[k % TEAMS.length] as string;
    const kind = k % 4;
    out.push(
      kind === 0 ? `${team}-${k % 97}` : kind === 1 ? id.slice(0, 5) : kind === 2 ? id : `${team}`,
    );
  }
  return out;
}

export async function runOptionsBenchmark(
  rig: Rig,
  options: { queries: number; concurrency: number },
): Promise<OptionsRow> {
  const ids = instanceIds(OPTIONS_INVENTORY, 18);
  const inventory = ids.map((instanceId, i) => ({
    instanceId,
    name: `svc-${TEAMS[i % TEAMS.length]}-${i}`,
    region: REGION,
  }));
  const urls = await rig.fakes.call<FakeUrls>({
    op: 'startFakes',
    ecsLatencyMs: OPTIONS_LATENCY_MS,
    inventory,
  });
  const dataDir = await makeDataDir();
  const started = await rig.server.call<StartedServer>({
    op: 'startBot',
    env: botEnv(urls, dataDir, { VOLC_REGION: REGION }),
  });
  const client = createSignedClient(
    `http://127.0.0.1:${started.port}`,
    SIGNING_SECRET,
    options.concurrency,
  );
  const view = {
    callback_id: 'attach_key_modal',
    private_metadata: JSON.stringify({ channelId: CHANNEL, region: REGION }),
  };
  const body = (value: string) =>
    new URLSearchParams({
      payload: JSON.stringify(
        blockSuggestion({
          view,
          userId: REQUESTER,
          blockId: 'instances',
          actionId: `instances_select:${REGION}`,
          value,
        }),
      ),
    }).toString();

  const run = async (phase: OptionsPhase['phase'], texts: readonly string[]) => {
    const samples: number[] = [];
    let hinted = 0;
    let empty = 0;
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const text = texts[next++] as string;
        const { ms, text: answer } = await client.exchange(body(text));
        samples.push(ms);
        const list = (JSON.parse(answer || '{}').options ?? []) as Array<{ value: string }>;
        if (list.length === 0) empty++;
        else if (list[0]?.value.startsWith('hint:')) hinted++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const row: OptionsPhase = {
      phase,
      samples: samples.length,
      p50Ms: round(percentile(samples, 50)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(Math.max(...samples)),
      hinted,
      empty,
    };
    progress(
      `options ${phase}: p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, max ${row.maxMs} ms ` +
        `(${row.samples} answers, ${hinted} with a hint, ${empty} empty)`,
    );
    return row;
  };

  try {
    const cold = queries(ids, options.queries, 0);
    const phases = [await run('cold', cold), await run('repeated', cold)];
    // 100 pages of 100 at 100 ms each: the listing is in after about 10 s.
    progress('options: waiting for the background listing of 10,000 instances');
    await sleep((OPTIONS_INVENTORY / 100) * OPTIONS_LATENCY_MS * 1.5);
    phases.push(await run('listed', queries(ids, options.queries, options.queries)));
    const describeCalls = await rig.fakes.call<number>({ op: 'describeCalls' });
    return {
      inventory: OPTIONS_INVENTORY,
      apiLatencyMs: OPTIONS_LATENCY_MS,
      concurrency: options.concurrency,
      phases,
      describeCalls,
    };
  } finally {
    await client.close();
    await rig.server.call({ op: 'stop' });
    await rig.fakes.call({ op: 'stopFakes' });
    await removeDir(dataDir);
  }
}
