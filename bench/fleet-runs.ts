import { ACTIONS } from '../src/slack/ids.js';
import { type Rig, responseUrl } from './bot-env.js';
import { nextPost, startBotRun } from './bot-run.js';
import type { FLEET_ROTATE, FLEET_SELECT, FleetRotateRow, FleetSelectRow } from './fleet.js';
import type { EcsCallRecord, SlackPost, StoredCard, StoredState } from './host-protocol.js';
import { approveBody, commandBody } from './load.js';
import { median, progress, round, roundSpread, spreadOf } from './stats.js';

// The fleet rows' runs (issue 21): a selection of N tagged instances timed to its card, and a
// rotation timed from the approve click to its restart results. Settings and targets: fleet.ts.

interface SelectSample {
  wallMs: number;
  ackMs: number;
  tailMs: number;
  pages: number;
}

const tag = (key: string, value: string) => ({ key, value });

function taggedFleet(n: number) {
  const id = (prefix: string, i: number) => `i-${prefix}${String(i).padStart(7, '0')}`;
  return [
    ...Array.from({ length: n }, (_, i) => ({
      instanceId: id('fleet', i),
      tags: [tag('env', 'prod'), tag('role', 'web')],
    })),
    // Near the selection, never listed: the filters run in the API.
    ...Array.from({ length: Math.ceil(n / 10) }, (_, i) => ({
      instanceId: id('other', i),
      tags: [tag('env', 'prod'), tag('role', 'db')],
    })),
  ];
}

export async function runFleetSelectBenchmark(
  rig: Rig,
  settings: typeof FLEET_SELECT,
): Promise<FleetSelectRow> {
  const pagesNeeded = Math.ceil(settings.instances / 100);
  const floor = pagesNeeded * settings.apiLatencyMs;
  const perRound: SelectSample[][] = [];
  for (let r = 0; r < settings.rounds; r++) {
    const bot = await startBotRun(rig, {
      store: 'lowdb',
      ecsLatencyMs: settings.apiLatencyMs,
      inventory: taggedFleet(settings.instances),
    });
    let slackIndex = 0;
    let commands = 0;
    const once = async (): Promise<SelectSample> => {
      const ecsBefore = (await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls' })).length;
      const text = 'tag:env=prod tag:role=web key=bench-key';
      const body = commandBody(text, responseUrl(bot.urls, `fleet${++commands}`));
      const sentAt = Date.now();
      const ackMs = await bot.client.send(body);
      const card = await nextPost(rig, slackIndex, isCard, 60_000);
      slackIndex = card.index + 1;
      await rig.server.call({ op: 'settle' });
      const calls = await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls', since: ecsBefore });
      const pages = calls.filter((c) => c.action === 'DescribeInstances');
      if (pages.length !== pagesNeeded) {
        throw new Error(`selection of ${settings.instances}: ${pages.length} pages read`);
      }
      const lastAnswer = Math.max(...pages.map((c) => c.at)) + settings.apiLatencyMs;
      return { wallMs: card.at - sentAt, ackMs, tailMs: card.at - lastAnswer, pages: pages.length };
    };
    try {
      await once(); // untimed: warms the connections and the path
      const samples: SelectSample[] = [];
      for (let i = 0; i < settings.samples; i++) samples.push(await once());
      perRound.push(samples);
      const walls = samples.map((s) => s.wallMs);
      progress(
        `fleet selection of ${settings.instances} round ${r + 1}/${settings.rounds}: median ` +
          `${median(walls)} ms [${Math.min(...walls)}–${Math.max(...walls)}] (floor ${floor} ms)`,
      );
    } finally {
      await bot.stop();
    }
  }
  const byRound = (f: (s: SelectSample) => number) => perRound.map((l) => median(l.map(f)));
  const wall = median(byRound((s) => s.wallMs));
  return {
    instances: settings.instances,
    apiLatencyMs: settings.apiLatencyMs,
    pages: pagesNeeded,
    wallMs: round(wall),
    floorMs: floor,
    limitMs: floor + 100,
    ratio: round(wall / floor),
    ackMs: round(median(byRound((s) => s.ackMs))),
    tailMs: round(median(byRound((s) => s.tailMs))),
    rounds: perRound.length,
    samplesPerRound: settings.samples,
    spread: { wallMs: roundSpread(spreadOf(byRound((s) => s.wallMs))) },
  };
}

interface RotateRun {
  wallMs: number;
  toFirstRebootMs: number;
  boundaryMs: number;
}

export async function runFleetRotateBenchmark(
  rig: Rig,
  settings: typeof FLEET_ROTATE,
): Promise<FleetRotateRow> {
  const waves = Math.ceil(settings.instances / settings.waveSize);
  const runs: RotateRun[] = [];
  let concurrency = 1;
  let floor = { attach: 0, restart: 0 };
  for (let r = 0; r < settings.runs; r++) {
    const inventory = Array.from({ length: settings.instances }, (_, i) => ({
      instanceId: `i-rotate${String(i).padStart(6, '0')}`,
      keyPairName: 'bench-old',
    }));
    const bot = await startBotRun(rig, {
      store: 'lowdb',
      ecsLatencyMs: settings.apiLatencyMs,
      rebootMs: settings.rebootMs,
      inventory,
      env: { RESTART_WAVE_SIZE: String(settings.waveSize) },
    });
    concurrency = bot.concurrency || 1;
    const batches = Math.ceil(settings.instances / 100);
    floor = {
      attach: 2 * Math.ceil(batches / concurrency) * settings.apiLatencyMs,
      restart: waves * (settings.apiLatencyMs + settings.rebootMs),
    };
    try {
      const text = 'holding:bench-old key=bench-key then=restart';
      await bot.client.send(commandBody(text, responseUrl(bot.urls, 'rotate')));
      const card = await nextPost(rig, 0, isCard, 60_000);
      await rig.server.call({ op: 'settle' });
      const requestId = card.buttons[ACTIONS.approve] as string;
      const [stored] = await rig.server.call<StoredCard[]>({
        op: 'cards',
        requestIds: [requestId],
      });
      if (!stored) throw new Error('the rotation card was not stored');
      const ecsBefore = (await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls' })).length;
      const clickedAt = Date.now();
      await bot.client.send(approveBody({ ...stored, responseUrl: responseUrl(bot.urls, 'ok') }));
      const done = await nextPost(
        rig,
        card.index + 1,
        (p) => p.threadTs === stored.ts && p.buttons[ACTIONS.undo] === requestId,
        120_000,
      );
      await rig.server.call({ op: 'settle' });
      const [state] = await rig.server.call<StoredState[]>({
        op: 'requests',
        requestIds: [requestId],
      });
      if (state?.status !== 'done' || state.failedOutcomes > 0) {
        throw new Error(`the rotation ended ${state?.status} (${state?.failedOutcomes} failed)`);
      }
      const calls = await rig.fakes.call<EcsCallRecord[]>({ op: 'ecsCalls', since: ecsBefore });
      const reboots = calls.filter((c) => c.action === 'RebootInstances');
      if (reboots.length !== waves) throw new Error(`${reboots.length} reboots for ${waves} waves`);
      const firstReboot = Math.min(...reboots.map((c) => c.at));
      const before = calls.filter((c) => c.at < firstReboot && c.action !== 'RebootInstances');
      const lastAnswer = Math.max(...before.map((c) => c.at)) + settings.apiLatencyMs;
      runs.push({
        wallMs: done.at - clickedAt,
        toFirstRebootMs: firstReboot - clickedAt,
        boundaryMs: firstReboot - lastAnswer,
      });
      progress(
        `fleet rotation of ${settings.instances} run ${r + 1}/${settings.runs}: ` +
          `${runs.at(-1)?.wallMs} ms (floor ${floor.attach + floor.restart} ms)`,
      );
    } finally {
      await bot.stop();
    }
  }
  const wall = median(runs.map((x) => x.wallMs));
  const total = floor.attach + floor.restart;
  return {
    instances: settings.instances,
    waveSize: settings.waveSize,
    waves,
    apiLatencyMs: settings.apiLatencyMs,
    rebootMs: settings.rebootMs,
    concurrency,
    wallMs: round(wall),
    attachFloorMs: floor.attach,
    restartFloorMs: floor.restart,
    floorMs: total,
    limitMs: round(1.2 * total + 1_000),
    ratio: round(wall / total),
    toFirstRebootMs: round(median(runs.map((x) => x.toFirstRebootMs))),
    boundaryMs: round(median(runs.map((x) => x.boundaryMs))),
    runs: runs.length,
    spread: { wallMs: roundSpread(spreadOf(runs.map((x) => x.wallMs))) },
  };
}

const isCard = (p: SlackPost) => p.buttons[ACTIONS.approve] !== undefined && !p.threadTs;
