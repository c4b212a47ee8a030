import { ACTIONS } from '../src/slack/ids.js';
import { type Rig, responseUrl } from './bot-env.js';
import { nextPost, startBotRun } from './bot-run.js';
import type { EcsCallRecord, SlackPost } from './host-protocol.js';
import { commandBody } from './load.js';
import { floorCells, ms, type TargetCheck, table } from './report.js';
import { median, progress, round, roundSpread, type Spread, spreadOf } from './stats.js';

// Fleets (issue 21), self-contained: its settings, runs, checks and table live here.
// Selection: `/attach-key tag:… key=…` over N tagged instances to the approval card posted, the
// fake ECS answering every DescribeInstances page (100 instances) after apiLatencyMs; the pages
// follow one another (NextToken), so the floor is pages x latency, and the target floor + 100 ms.

export const FLEET_SELECT = { instances: 1_000, apiLatencyMs: 100, rounds: 3, samples: 3 };

export const FLEET_METHODS = {
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

export interface FleetRows {
  select?: FleetSelectRow;
}

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

const isCard = (p: SlackPost) => p.buttons[ACTIONS.approve] !== undefined && !p.threadTs;

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
  return out;
}
