import { MAX_BATCH_SIZE } from '../src/domain/batches.js';
import { ACTIONS } from '../src/slack/ids.js';
import { type Rig, responseUrl } from './bot-env.js';
import { nextPost, startBotRun } from './bot-run.js';
import type { EcsCallRecord, SlackPost } from './host-protocol.js';
import { commandBody, instanceIds } from './load.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';

// Preview at submit (issue 9): a slash command to its approval card posted, the card carrying
// the preview read from the cloud after the ack. The fake ECS answers every call after 100 ms:
// DescribeInstances (one per 100 instances, VOLC_MAX_CONCURRENCY at a time) and the key pair's
// DescribeKeyPairs, which runs beside them and so hides inside the floor.

export const PREVIEW_LATENCY_MS = 100;

export interface PreviewRow {
  instances: number;
  apiLatencyMs: number;
  concurrency: number;
  /** DescribeInstances and DescribeKeyPairs calls per command (the most seen). */
  describeCalls: number;
  keyPairCalls: number;
  /** Command sent to the card's chat.postMessage arriving at the fake Slack. */
  wallMs: number;
  /** ceil(describeCalls / concurrency) x latency. */
  floorMs: number;
  /** The target: floor + 50 ms. */
  limitMs: number;
  ratio: number;
  /** The command's HTTP ack. */
  ackMs: number;
  /** Command sent to the first DescribeInstances arriving. */
  firstReadMs: number;
  /** Last read answered (arrival + latency) to the card post. */
  tailMs: number;
  rounds: number;
  samplesPerRound: number;
  /** min-max over rounds of each round's median. */
  spread: { wallMs: Spread };
}

interface Sample {
  wallMs: number;
  ackMs: number;
  firstReadMs: number;
  tailMs: number;
  describeCalls: number;
  keyPairCalls: number;
}

export async function runPreviewBenchmark(
  rig: Rig,
  options: { sizes: readonly number[]; rounds: number; samples: number },
): Promise<PreviewRow[]> {
  const perRound = new Map<number, Sample[][]>();
  let concurrency = 0;
  for (let r = 0; r < options.rounds; r++) {
    const bot = await startBotRun(rig, { store: 'lowdb', ecsLatencyMs: PREVIEW_LATENCY_MS });
    concurrency = bot.concurrency;
    let slackIndex = 0;
    let commands = 0;
    const once = async (size: number): Promise<Sample> => {
      const ecsBefore = (await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls' })).length;
      const text = `${instanceIds(size).join(' ')} key=bench-key`;
      const body = commandBody(text, responseUrl(bot.urls, `preview${++commands}`));
      const sentAt = Date.now();
      const ackMs = await bot.client.send(body);
      const card = await waitForCard(rig, slackIndex);
      slackIndex = card.index + 1;
      await rig.server.call({ op: 'settle' });
      const calls = await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls', since: ecsBefore });
      const reads = calls.filter((c) => c.action === 'DescribeInstances');
      const keyPairs = calls.filter((c) => c.action === 'DescribeKeyPairs');
      if (reads.length !== Math.ceil(size / MAX_BATCH_SIZE) || keyPairs.length !== 1) {
        throw new Error(`${size} instances: ${reads.length} reads, ${keyPairs.length} key lookups`);
      }
      const lastAnswer = Math.max(...calls.map((c) => c.at)) + PREVIEW_LATENCY_MS;
      return {
        wallMs: card.at - sentAt,
        ackMs,
        firstReadMs: Math.min(...reads.map((c) => c.at)) - sentAt,
        tailMs: card.at - lastAnswer,
        describeCalls: reads.length,
        keyPairCalls: keyPairs.length,
      };
    };
    try {
      // Untimed: opens the bot's connections to the fakes and warms the path.
      for (const size of options.sizes) await once(size);
      for (const size of options.sizes) {
        const samples: Sample[] = [];
        for (let i = 0; i < options.samples; i++) samples.push(await once(size));
        perRound.set(size, [...(perRound.get(size) ?? []), samples]);
        const walls = samples.map((s) => s.wallMs);
        progress(
          `preview ${size} instances round ${r + 1}/${options.rounds}: median ${median(walls)} ms ` +
            `[${Math.min(...walls)}–${Math.max(...walls)}] (floor ${floorFor(size, concurrency)} ms)`,
        );
      }
    } finally {
      await bot.stop();
    }
  }
  return options.sizes.map((size) => {
    const rounds = perRound.get(size) ?? [];
    const byRound = (f: (s: Sample) => number) => rounds.map((list) => median(list.map(f)));
    const mid = (f: (s: Sample) => number) => round(median(byRound(f)));
    const all = rounds.flat();
    const floor = floorFor(size, concurrency);
    const wall = median(byRound((s) => s.wallMs));
    return {
      instances: size,
      apiLatencyMs: PREVIEW_LATENCY_MS,
      concurrency,
      describeCalls: Math.max(...all.map((s) => s.describeCalls)),
      keyPairCalls: Math.max(...all.map((s) => s.keyPairCalls)),
      wallMs: round(wall),
      floorMs: floor,
      limitMs: floor + 50,
      ratio: round(wall / floor),
      ackMs: mid((s) => s.ackMs),
      firstReadMs: mid((s) => s.firstReadMs),
      tailMs: mid((s) => s.tailMs),
      rounds: rounds.length,
      samplesPerRound: options.samples,
      spread: { wallMs: roundSpread(spreadOf(byRound((s) => s.wallMs))) },
    };
  });
}

function floorFor(instances: number, concurrency: number): number {
  return Math.ceil(Math.ceil(instances / MAX_BATCH_SIZE) / concurrency) * PREVIEW_LATENCY_MS;
}

/** The next approval card posted at or after this Slack call index. */
function waitForCard(rig: Rig, since: number): Promise<SlackPost> {
  return nextPost(rig, since, (p) => p.buttons[ACTIONS.approve] !== undefined && !p.threadTs);
}
