import { parsePublicKey } from '../src/domain/public-key.js';
import { ACTIONS } from '../src/slack/ids.js';
import { makeTestKey } from '../test/support/ssh-keys.js';
import { type Rig, responseUrl } from './bot-env.js';
import { startBotRun } from './bot-run.js';
import { maxInFlight } from './execution.js';
import { timeFollowUp } from './follow-up-run.js';
import type { EcsCallRecord } from './host-protocol.js';
import { commandBody } from './load.js';
import { ms, range, type TargetCheck, table } from './report.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';

// Apply now (issue 22) on N instances: the key imported and bound first (untimed), then the
// requester clicks Apply now and an approver approves; timed from that click to the apply-now
// results in the thread. The fake ECS answers every call after apiLatencyMs and a command's
// results are final commandMs after RunCommand is answered. Floor = the status reads
// (CheckAssistant: DescribeCloudAssistantStatus and DescribeInstances side by side, 100 ids a
// step, VOLC_MAX_CONCURRENCY at a time) + the RunCommand round + the script's time + one poll
// interval (250 ms). Target: 1.2 x floor + 500 ms, at most one DescribeInvocationResults call per
// invocation per poll. Self-contained: its own checks and table (not part of the default set).

export interface ApplyNowSettings {
  instances: number;
  apiLatencyMs: number;
  commandMs: number;
  runs: number;
}

export interface ApplyNowRow extends ApplyNowSettings {
  concurrency: number;
  /** Approve click to the apply-now results (median over runs). */
  wallMs: number;
  floorMs: number;
  limitMs: number;
  ratio: number;
  spread: { wallMs: Spread };
  runCommands: number;
  /** Per invocation: results reads (median, most), and the most of one invocation in flight. */
  readsPerInvocation: number;
  maxReadsPerInvocation: number;
  readsInFlight: number;
  /** The shortest gap between two reads of one invocation (one poll interval or more). */
  minReadGapMs: number;
}

const POLL_MS = 250;
const CHECK_IDS = 100;
const RUN_IDS = 200;

interface Run {
  wallMs: number;
  runCommands: number;
  reads: number[];
  readsInFlight: number;
  minReadGapMs: number;
}

export async function runApplyNowBenchmark(
  rig: Rig,
  settings: ApplyNowSettings,
): Promise<ApplyNowRow> {
  const runs: Run[] = [];
  let concurrency = 0;
  for (let r = 0; r < settings.runs; r++) {
    const { run, maxConcurrency } = await runOnce(rig, settings);
    concurrency = maxConcurrency;
    runs.push(run);
    progress(
      `apply now ${settings.instances} instances run ${r + 1}/${settings.runs}: ${run.wallMs} ms ` +
        `(floor ${floorFor(settings, concurrency)} ms; ${run.runCommands} RunCommand, results reads per invocation ${run.reads.join(' ')})`,
    );
  }
  const floor = floorFor(settings, concurrency);
  const wall = median(runs.map((r) => r.wallMs));
  const reads = runs.flatMap((r) => r.reads);
  return {
    ...settings,
    concurrency,
    wallMs: round(wall),
    floorMs: floor,
    limitMs: round(1.2 * floor + 500),
    ratio: round(wall / floor),
    spread: { wallMs: roundSpread(spreadOf(runs.map((r) => r.wallMs))) },
    runCommands: Math.max(...runs.map((r) => r.runCommands)),
    readsPerInvocation: round(median(reads)),
    maxReadsPerInvocation: Math.max(...reads),
    readsInFlight: Math.max(...runs.map((r) => r.readsInFlight)),
    minReadGapMs: Math.min(...runs.map((r) => r.minReadGapMs)),
  };
}

function floorFor(s: ApplyNowSettings, concurrency: number): number {
  const rounds = (calls: number) => Math.ceil(calls / Math.max(1, concurrency));
  const checks = rounds(Math.ceil(s.instances / CHECK_IDS)) * s.apiLatencyMs;
  const runCommand = rounds(Math.ceil(s.instances / RUN_IDS)) * s.apiLatencyMs;
  return checks + runCommand + s.commandMs + POLL_MS;
}

async function runOnce(
  rig: Rig,
  settings: ApplyNowSettings,
): Promise<{ run: Run; maxConcurrency: number }> {
  const { fakes } = rig;
  const key = makeTestKey('ed25519', 'bench@apply-now');
  const parsed = parsePublicKey(key.line);
  if (!parsed.ok) throw new Error('the bench key does not parse');
  const bot = await startBotRun(rig, {
    store: 'lowdb',
    ecsLatencyMs: settings.apiLatencyMs,
    fakes: {
      commandMs: settings.commandMs,
      keyPairs: [{ keyPairName: 'bench-key', fingerprint: parsed.key.fingerprint }],
    },
  });
  const click = (body: string) => bot.client.send(body);
  try {
    // Untimed: the public key recorded, then the attach whose results offer Apply now.
    await click(commandBody(`import bench-key ${key.line}`, responseUrl(bot.urls, 'import')));
    await fakes.call({ op: 'waitForResponses', prefix: 'import', count: 1 });
    const { clickedAt, resultsAt, calls } = await timeFollowUp(rig, bot, settings.instances, {
      actionId: ACTIONS.applyNow,
      name: 'apply',
    });
    return {
      run: { wallMs: resultsAt - clickedAt, ...readsOf(calls, settings) },
      maxConcurrency: bot.concurrency,
    };
  } finally {
    await bot.stop();
  }
}

/** Per invocation, from the call log: how many results reads, overlapping or closer than a poll. */
function readsOf(calls: EcsCallRecord[], s: ApplyNowSettings): Omit<Run, 'wallMs'> {
  const byInvocation = new Map<string, number[]>();
  for (const c of calls) {
    if (c.action !== 'DescribeInvocationResults' || !c.invocationId) continue;
    byInvocation.set(c.invocationId, [...(byInvocation.get(c.invocationId) ?? []), c.at]);
  }
  let minGap = Number.POSITIVE_INFINITY;
  let inFlight = 0;
  for (const ats of byInvocation.values()) {
    inFlight = Math.max(inFlight, maxInFlight(ats, s.apiLatencyMs));
    for (let i = 1; i < ats.length; i++)
      minGap = Math.min(minGap, (ats[i] as number) - (ats[i - 1] as number));
  }
  return {
    runCommands: calls.filter((c) => c.action === 'RunCommand').length,
    reads: [...byInvocation.values()].map((ats) => ats.length),
    readsInFlight: inFlight,
    minReadGapMs: Number.isFinite(minGap) ? minGap : 0,
  };
}

export function checkApplyNowTargets(row: ApplyNowRow): TargetCheck[] {
  const what = `apply now ${row.instances} instances`;
  return [
    {
      target: `${what}: approve -> results <= 1.2x floor + 500 ms`,
      met: row.wallMs <= row.limitMs,
      detail: `${row.wallMs} ms vs limit ${row.limitMs} ms (floor ${row.floorMs} ms, ${row.ratio}x; ${row.runCommands} RunCommand calls)`,
    },
    {
      // One call per poll: a poll is at least the 250 ms interval plus the read itself.
      target: `${what}: at most one DescribeInvocationResults per invocation per poll`,
      met: row.readsInFlight === 1 && row.minReadGapMs >= POLL_MS,
      detail: `at most ${row.readsInFlight} in flight per invocation, reads at least ${row.minReadGapMs} ms apart; ${row.readsPerInvocation} reads per invocation (most ${row.maxReadsPerInvocation})`,
    },
  ];
}

export function formatApplyNowTable(row: ApplyNowRow): string[] {
  return [
    `Apply now: approve -> results (fake ECS: every call after ${row.apiLatencyMs} ms, the script ` +
      `final ${row.commandMs} ms after RunCommand; VOLC_MAX_CONCURRENCY ${row.concurrency}; median of ${row.runs} runs; ` +
      `floor = status reads + RunCommand round + script + one ${POLL_MS} ms poll)`,
    table(
      [
        'instances',
        'RunCommand',
        'wall ms',
        'runs min–max',
        'floor ms',
        'ratio',
        'limit ms',
        'reads/invocation (most)',
        'in flight',
        'min gap ms',
      ],
      [
        [
          String(row.instances),
          String(row.runCommands),
          ms(row.wallMs),
          range(row.spread.wallMs),
          String(row.floorMs),
          String(row.ratio),
          String(row.limitMs),
          `${row.readsPerInvocation} (${row.maxReadsPerInvocation})`,
          String(row.readsInFlight),
          String(row.minReadGapMs),
        ],
      ],
    ),
    '',
  ];
}
