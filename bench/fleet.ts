import { floorCells, ms, type TargetCheck, table } from './report.js';
import type { Spread } from './stats.js';

// Fleets (issue 21), self-contained: settings, rows, checks and tables here, the runs in
// fleet-runs.ts.
// Selection: `/attach-key tag:… key=…` over N tagged instances to the approval card posted, the
// fake ECS answering every DescribeInstances page (100 instances) after apiLatencyMs; the pages
// follow one another (NextToken), so the floor is pages x latency, and the target floor + 100 ms.
// Rotation: `holding:… key=… then=restart` over N instances, from the approve click to the restart
// results in the thread; floor = the attach's (its batches then their read-back, as the execution
// row) + the restart's (waves x (latency + reboot)), target 1.2 x floor + 1 s.

export const FLEET_SELECT = { instances: 1_000, apiLatencyMs: 100, rounds: 3, samples: 3 };
export const FLEET_ROTATE = {
  instances: 100,
  waveSize: 10,
  apiLatencyMs: 100,
  rebootMs: 1_000,
  runs: 3,
};

export const FLEET_METHODS = {
  fleetRotate:
    'slash command `holding:bench-old key=… then=restart` over N instances holding bench-old (untimed, card stored), then the approve click (dispatch) to the restart results (the thread message carrying Undo) arriving at the fake Slack API; RESTART_WAVE_SIZE=waveSize; fake ECS answers every call after apiLatencyMs, keeps a rebooted instance REBOOTING for rebootMs; floor = 2 x ceil(ceil(N / 100) / VOLC_MAX_CONCURRENCY) x apiLatencyMs (attach, then read-back) + waves x (apiLatencyMs + rebootMs); fresh bot (lowdb) per run, median over runs',
  fleetSelect:
    'slash command `tag:env=prod tag:role=web key=…` (dispatch) to the approval card chat.postMessage arriving at the fake Slack API; N instances carry both tags (plus N/10 that carry only one, never listed: the filters are server-side); fake ECS answers every call after apiLatencyMs; floor = ceil(N / 100) pages x apiLatencyMs (one page after another; the key pair lookup runs beside them); MAX_INSTANCES_PER_REQUEST=5000; per round a fresh bot (lowdb), one untimed command, then the samples; median per round, median over rounds',
};

export interface FleetSelectRow {
  instances: number;
  apiLatencyMs: number;
  pages: number;
  wallMs: number;
  floorMs: number;
  /** The target: floor + 100 ms. */
  limitMs: number;
  ratio: number;
  ackMs: number;
  /** The last page's answer (arrival + latency) to the card post. */
  tailMs: number;
  rounds: number;
  samplesPerRound: number;
  spread: { wallMs: Spread };
}

export interface FleetRotateRow {
  instances: number;
  waveSize: number;
  waves: number;
  apiLatencyMs: number;
  rebootMs: number;
  concurrency: number;
  wallMs: number;
  attachFloorMs: number;
  restartFloorMs: number;
  floorMs: number;
  /** The target: 1.2 x floor + 1 s. */
  limitMs: number;
  ratio: number;
  /** Approve click to the first RebootInstances arriving: the attach phase and the boundary. */
  toFirstRebootMs: number;
  /** The last AttachKeyPair or read-back answered to the first RebootInstances arriving. */
  boundaryMs: number;
  runs: number;
  spread: { wallMs: Spread };
}

export interface FleetRows {
  select?: FleetSelectRow;
  rotate?: FleetRotateRow;
}

export function checkFleetTargets(rows: FleetRows): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const select = rows.select;
  if (select) {
    checks.push({
      target: `fleet selection of ${select.instances} by tag: command -> card <= floor + 100 ms`,
      met: select.wallMs <= select.limitMs,
      detail: `${select.wallMs} ms vs limit ${select.limitMs} ms (floor ${select.floorMs} ms: ${select.pages} pages, one after another)`,
    });
  }
  const rotate = rows.rotate;
  if (rotate) {
    checks.push({
      target: `fleet rotation of ${rotate.instances} (then=restart, waves of ${rotate.waveSize}): approve -> last restart result <= 1.2x floor + 1 s`,
      met: rotate.wallMs <= rotate.limitMs,
      detail: `${rotate.wallMs} ms vs limit ${rotate.limitMs} ms (floor ${rotate.floorMs} ms = attach ${rotate.attachFloorMs} + restart ${rotate.restartFloorMs}, ${rotate.ratio}x)`,
    });
  }
  return checks;
}

export function formatFleetTables(rows: FleetRows): string[] {
  const out: string[] = [];
  const select = rows.select;
  if (select) {
    out.push(
      `Fleet selection: command -> card (fake ECS answers every call after ${select.apiLatencyMs} ms; ` +
        `median of ${select.samplesPerRound} per round, median of ${select.rounds} rounds; ` +
        'floor = pages x latency, pages one after another)',
      table(
        [
          'instances',
          'pages',
          'wall ms',
          'rounds min–max',
          'floor ms',
          'ratio',
          'limit ms',
          'ack',
          'tail',
        ],
        [
          [
            String(select.instances),
            String(select.pages),
            ...floorCells(select),
            ms(select.ackMs),
            ms(select.tailMs),
          ],
        ],
      ),
      '(tail: the last page answered to the card posted)',
      '',
    );
  }
  const rotate = rows.rotate;
  if (rotate) {
    out.push(
      `Fleet rotation: approve -> restart results (then=restart; fake ECS: every call after ${rotate.apiLatencyMs} ms, ` +
        `REBOOTING for ${rotate.rebootMs} ms; median of ${rotate.runs} runs; floor = attach floor + waves x (latency + reboot))`,
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
          'attach floor',
          'to first reboot',
          'boundary',
        ],
        [
          [
            String(rotate.instances),
            String(rotate.waveSize),
            String(rotate.waves),
            ...floorCells(rotate),
            String(rotate.attachFloorMs),
            ms(rotate.toFirstRebootMs),
            ms(rotate.boundaryMs),
          ],
        ],
      ),
      "(boundary: the attach phase's last answer to the first RebootInstances: planning the restart phase and posting the attach results)",
      '',
    );
  }
  return out;
}
