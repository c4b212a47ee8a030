import type { PreviewRow } from './preview.js';
import type { ReplicaRow } from './replicas.js';
import { ACK_HEADER, ackCells, floorCells, ms, type TargetCheck, table } from './report.js';
import type { RestartRow } from './restart.js';

// The checks and tables of the phases beside ack, execution and store: the preview at submit
// (issue 9), the rolling restart (issue 11) and two replicas on one database (issue 14).

/** How each of these phases measures, for results.json. */
export const PHASE_METHODS = {
  preview:
    'slash command with N instance ids (dispatch) to the approval card chat.postMessage arriving at the fake Slack API, the card carrying the preview read after the ack; fake ECS answers every call (DescribeInstances, and the DescribeKeyPairs running beside them) after apiLatencyMs; floor = ceil(DescribeInstances / VOLC_MAX_CONCURRENCY) x apiLatencyMs; per round a fresh bot (lowdb), one untimed command per size, then the samples one after another; median per round, median over rounds',
  restart:
    'an attach of N instances (untimed) whose requester clicks Restart on the results; the approve click of the restart card to the restart results in the thread; RESTART_WAVE_SIZE=waveSize; fake ECS answers every call after apiLatencyMs and keeps a rebooted instance REBOOTING for rebootMs from its answer; floor = waves x (apiLatencyMs + rebootMs); per wave from the call log: poll lag = the answer of the read that saw the wave RUNNING minus when it was RUNNING again, reads per wave, reads of one wave in flight at once; fresh bot (lowdb) per run, median over runs',
  replicas:
    'the ack cells at 200 concurrent with two bots (two server hosts) on one fresh PostgreSQL database per cell, every burst split round robin between them; bare = two bare Bolt processes under the same split; otherwise as the ack rows',
};

export interface PhaseRows {
  preview?: PreviewRow[];
  restart?: RestartRow[];
  replicas?: ReplicaRow[];
}

export function checkPhaseTargets(phases: PhaseRows): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of phases.preview ?? []) {
    checks.push({
      target: `preview ${row.instances} instances: command -> card <= floor + 50 ms`,
      met: row.wallMs <= row.limitMs,
      detail: `${row.wallMs} ms vs limit ${row.limitMs} ms (floor ${row.floorMs} ms: ${row.describeCalls} DescribeInstances, ${row.concurrency} at a time)`,
    });
  }
  for (const row of phases.restart ?? []) {
    const what = `restart ${row.instances} instances, waves of ${row.waveSize}`;
    checks.push({
      target: `${what}: <= 1.2x floor + 1 s`,
      met: row.wallMs <= row.limitMs,
      detail: `${row.wallMs} ms vs limit ${row.limitMs} ms (floor ${row.floorMs} ms, ${row.ratio}x)`,
    });
    // One call per wave per poll: a wave's reads never overlap and each names the whole wave.
    checks.push({
      target: `${what}: one DescribeInstances per wave per poll`,
      met: row.readsInFlight === 1 && row.minIdsPerRead === row.waveSize,
      detail: `at most ${row.readsInFlight} in flight per wave, each for ${row.minIdsPerRead}+ ids; ${row.readsPerWave} reads per wave (most ${row.maxReadsPerWave})`,
    });
    // The poll's share of a wave: at most one interval late (250 ms floor) plus the read itself.
    const pollBound = 250 + row.apiLatencyMs;
    checks.push({
      target: `${what}: the poll sees a wave back within ${pollBound} ms`,
      met: row.maxPollLagMs <= pollBound,
      detail: `median ${row.pollLagMs} ms, most ${row.maxPollLagMs} ms after the instances were RUNNING`,
    });
  }
  for (const row of phases.replicas ?? []) {
    const what = `ack ${row.kind} c=${row.concurrency}, ${row.replicas} replicas on PostgreSQL`;
    checks.push({
      target: `${what}: p99 <= 1.5x bare`,
      met: row.p99Ms <= 1.5 * row.bareP99Ms,
      detail: `${row.p99Ms} ms vs bare ${row.bareP99Ms} ms (${row.ratioP99}x; ${row.replicas} bare processes, the same split)`,
    });
  }
  return checks;
}

export function formatPhaseTables(phases: PhaseRows): string[] {
  const out: string[] = [];
  const preview = phases.preview ?? [];
  if (preview.length) {
    const row0 = preview[0];
    out.push(
      `Preview at submit: command -> card posted (fake ECS answers every call after ${row0?.apiLatencyMs} ms, ` +
        `VOLC_MAX_CONCURRENCY ${row0?.concurrency}; median of ${row0?.samplesPerRound} per round, ` +
        `median of ${row0?.rounds} rounds; floor = ceil(DescribeInstances / concurrency) x latency, ` +
        'the DescribeKeyPairs lookup running beside them)',
      table(
        [
          'instances',
          'DescribeInstances',
          'wall ms',
          'rounds min–max',
          'floor ms',
          'ratio',
          'limit ms',
          'ack',
          'first read',
          'tail',
        ],
        preview.map((r) => [
          String(r.instances),
          String(r.describeCalls),
          ...floorCells(r),
          ms(r.ackMs),
          ms(r.firstReadMs),
          ms(r.tailMs),
        ]),
      ),
      '',
    );
  }
  const restart = phases.restart ?? [];
  if (restart.length) {
    const row0 = restart[0];
    out.push(
      `Restart: approve -> results (fake ECS: every call after ${row0?.apiLatencyMs} ms, ` +
        `REBOOTING for ${row0?.rebootMs} ms; median of ${row0?.runs} runs; ` +
        'floor = waves x (reboot latency + time to RUNNING); per wave, medians over waves and runs)',
      table(
        [
          'instances',
          'wave',
          'waves',
          'wall ms',
          'runs min–max',
          'floor ms',
          'ratio',
          'limit ms',
          'first call',
          'poll lag (most)',
          'to next wave',
          'reads/wave (most)',
          'in flight',
        ],
        restart.map((r) => [
          String(r.instances),
          String(r.waveSize),
          String(r.waves),
          ...floorCells(r),
          ms(r.firstCallMs),
          `${ms(r.pollLagMs)} (${ms(r.maxPollLagMs)})`,
          ms(r.nextWaveMs),
          `${r.readsPerWave} (${r.maxReadsPerWave})`,
          String(r.readsInFlight),
        ]),
      ),
      '(poll lag: RUNNING again to the answer of the read that saw it; to next wave: that answer to the next RebootInstances)',
      '',
    );
  }
  const replicas = phases.replicas ?? [];
  if (replicas.length) {
    const row0 = replicas[0];
    out.push(
      `Replicas: ack latency with ${row0?.replicas} bots on one PostgreSQL database, every burst split ` +
        `round robin; bare = ${row0?.replicas} bare Bolt processes under the same split ` +
        `(ms; median of ${row0?.rounds} rounds, min–max over rounds in brackets)`,
      table(ACK_HEADER, replicas.map(ackCells)),
      '',
    );
  }
  return out;
}
