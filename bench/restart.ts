import { ACTIONS } from '../src/slack/ids.js';
import type { Rig } from './bot-env.js';
import { startBotRun } from './bot-run.js';
import { maxInFlight } from './execution.js';
import { timeFollowUp } from './follow-up-run.js';
import type { EcsCallRecord } from './host-protocol.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';

// A rolling restart (issue 11): an attach of N RUNNING instances runs first (untimed); its
// requester clicks Restart on the results, an approver approves, and the roll is timed from that
// click to the restart's results in the thread. The fake ECS answers every call after a fixed
// latency and keeps a rebooted instance REBOOTING for rebootMs. The floor is
// waves x (reboot latency + rebootMs): a wave cannot be back sooner. From the call log, each wave
// also shows how long after its instances were RUNNING again the bot saw it (the poll's share)
// and how many DescribeInstances calls its wait made.

export interface RestartSettings {
  instances: number;
  waveSize: number;
  apiLatencyMs: number;
  rebootMs: number;
  runs: number;
}

export interface RestartRow {
  instances: number;
  waveSize: number;
  waves: number;
  apiLatencyMs: number;
  rebootMs: number;
  /** Approve click to the restart's results in the thread (median over runs). */
  wallMs: number;
  floorMs: number;
  /** The target: 1.2 x floor + 1 s. */
  limitMs: number;
  ratio: number;
  runs: number;
  spread: { wallMs: Spread };
  /** Click to the first RebootInstances arriving. */
  firstCallMs: number;
  /** Per wave (median over waves and runs): RUNNING again to the poll answer that saw it. */
  pollLagMs: number;
  /** The largest poll lag of any wave in any run. */
  maxPollLagMs: number;
  /** Per wave: that poll's answer to the next wave's RebootInstances (or the results). */
  nextWaveMs: number;
  /** DescribeInstances calls per wave: median and most. */
  readsPerWave: number;
  maxReadsPerWave: number;
  /** The most DescribeInstances calls of one wave in flight at once (1: one call per poll). */
  readsInFlight: number;
  /** Fewest ids one wait read asked for: a wave's size unless some came back earlier. */
  minIdsPerRead: number;
}

interface WaveTimes {
  pollLagMs: number;
  nextWaveMs: number;
  reads: number;
  readsInFlight: number;
  minIds: number;
}

interface Run {
  wallMs: number;
  firstCallMs: number;
  waves: WaveTimes[];
}

export async function runRestartBenchmark(
  rig: Rig,
  settings: RestartSettings,
): Promise<RestartRow> {
  const runs: Run[] = [];
  const floor = floorFor(settings);
  for (let r = 0; r < settings.runs; r++) {
    const run = await runOnce(rig, settings);
    runs.push(run);
    const lags = run.waves.map((w) => w.pollLagMs);
    progress(
      `restart ${settings.instances} instances run ${r + 1}/${settings.runs}: ${run.wallMs} ms ` +
        `(floor ${floor} ms; poll lag per wave ${Math.min(...lags)}–${Math.max(...lags)} ms, ` +
        `reads per wave ${run.waves.map((w) => w.reads).join(' ')})`,
    );
  }
  const waves = runs.flatMap((r) => r.waves);
  const wall = median(runs.map((r) => r.wallMs));
  return {
    instances: settings.instances,
    waveSize: settings.waveSize,
    waves: Math.ceil(settings.instances / settings.waveSize),
    apiLatencyMs: settings.apiLatencyMs,
    rebootMs: settings.rebootMs,
    wallMs: round(wall),
    floorMs: floor,
    limitMs: round(1.2 * floor + 1_000),
    ratio: round(wall / floor),
    runs: runs.length,
    spread: { wallMs: roundSpread(spreadOf(runs.map((r) => r.wallMs))) },
    firstCallMs: round(median(runs.map((r) => r.firstCallMs))),
    pollLagMs: round(median(waves.map((w) => w.pollLagMs))),
    maxPollLagMs: Math.max(...waves.map((w) => w.pollLagMs)),
    nextWaveMs: round(median(waves.map((w) => w.nextWaveMs))),
    readsPerWave: round(median(waves.map((w) => w.reads))),
    maxReadsPerWave: Math.max(...waves.map((w) => w.reads)),
    readsInFlight: Math.max(...waves.map((w) => w.readsInFlight)),
    minIdsPerRead: Math.min(...waves.map((w) => w.minIds)),
  };
}

function floorFor(s: RestartSettings): number {
  return Math.ceil(s.instances / s.waveSize) * (s.apiLatencyMs + s.rebootMs);
}

async function runOnce(rig: Rig, settings: RestartSettings): Promise<Run> {
  const bot = await startBotRun(rig, {
    store: 'lowdb',
    ecsLatencyMs: settings.apiLatencyMs,
    rebootMs: settings.rebootMs,
    env: { RESTART_WAVE_SIZE: String(settings.waveSize) },
  });
  try {
    // Untimed: the attach whose results offer the restart; timed: the restart's approval on.
    const { clickedAt, resultsAt, calls } = await timeFollowUp(rig, bot, settings.instances, {
      actionId: ACTIONS.restart,
      name: 'restart',
    });
    const reboots = calls.filter((c) => c.action === 'RebootInstances');
    return {
      wallMs: resultsAt - clickedAt,
      firstCallMs: Math.min(...reboots.map((c) => c.at)) - clickedAt,
      waves: waveTimes(calls, settings, resultsAt),
    };
  } finally {
    await bot.stop();
  }
}

/** Each wave from the call log: its reboot, its wait's reads, and the next wave's reboot. */
function waveTimes(calls: EcsCallRecord[], s: RestartSettings, resultsAt: number): WaveTimes[] {
  const reboots = calls.filter((c) => c.action === 'RebootInstances');
  if (reboots.length !== Math.ceil(s.instances / s.waveSize)) {
    throw new Error(`expected one RebootInstances per wave, got ${reboots.length}`);
  }
  return reboots.map((reboot, w) => {
    const wave = new Set(reboot.instanceIds);
    const reads = calls.filter(
      (c) => c.action === 'DescribeInstances' && c.instanceIds.some((id) => wave.has(id)),
    );
    const last = reads.at(-1);
    if (!last) throw new Error(`wave ${w} was never read back`);
    // The fake applies a reboot when it answers: REBOOTING from then for rebootMs.
    const runningAt = reboot.at + s.apiLatencyMs + s.rebootMs;
    const sawIt = last.at + s.apiLatencyMs;
    return {
      pollLagMs: sawIt - runningAt,
      nextWaveMs: (reboots[w + 1]?.at ?? resultsAt) - sawIt,
      reads: reads.length,
      readsInFlight: maxInFlight(
        reads.map((c) => c.at),
        s.apiLatencyMs,
      ),
      minIds: Math.min(...reads.map((c) => c.instanceIds.length)),
    };
  });
}
