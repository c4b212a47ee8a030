import { createMigratedDatabase } from '../test/support/pg.js';
import {
  BOT_TOKEN,
  botEnv,
  makeDataDir,
  type Rig,
  removeDir,
  responseUrl,
  SIGNING_SECRET,
} from './bot-env.js';
import type { Child } from './children.js';
import type {
  CpuTime,
  FakesReport,
  FakeUrls,
  ServerCall,
  Settled,
  StartedServer,
  StoredCard,
} from './host-protocol.js';
import {
  approveBody,
  CHANNEL,
  commandBody,
  createSignedClient,
  instanceIds,
  type SignedClient,
  splitClient,
} from './load.js';
import {
  median,
  percentile,
  progress,
  round,
  roundSpread,
  type Spread,
  spreadOf,
} from './stats.js';
import type { StoreKind } from './store.js';

// Ack latency: bursts of N signed requests sent at once, timed from dispatch to the whole HTTP
// response (Bolt answers when the listener acks). Between bursts the server is left to finish its
// background work (untimed) and both servers then idle for the same 5 ms, so "N concurrent"
// means N requests in flight together at a server that is otherwise idle. Every cell starts a
// fresh server (the bot with an empty store) in the server host; the fakes restart too.

export type AckKind = 'command' | 'approve';
export type ServerKind = 'bot' | 'bare';

export interface AckLevel {
  concurrency: number;
  /** Bursts per round: samples per round = concurrency x bursts. */
  bursts: number;
}

export interface AckRow {
  kind: AckKind;
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  bareP50Ms: number;
  bareP99Ms: number;
  /** bot p99 / bare p99 (medians over rounds). */
  ratioP99: number;
  ratioP50: number;
  /** min-max of the per-round ratio bot p99 / bare p99 (bot and bare of a round run back to back). */
  ratioP99PerRound: Spread;
  rounds: number;
  samplesPerRound: number;
  /** min-max over rounds of each round's percentile. */
  spread: { p50Ms: Spread; p99Ms: Spread; bareP50Ms: Spread; bareP99Ms: Spread };
  /** Server CPU per request, including the bot's background work after the ack. */
  cpuMsPerRequest: number;
  bareCpuMsPerRequest: number;
  /** WARN/ERROR lines the bot logged during the timed bursts. */
  botWarnings: string[];
}

/**
 * Where the servers under test run: the rig's server host alone (the default), or several hosts
 * behind a round-robin split of every burst, like replicas behind a load balancer. PostgreSQL: a
 * fresh database per cell, shared by every bot.
 */
export interface AckTopology {
  hosts: readonly Child<ServerCall>[];
  store: StoreKind;
}

interface CellResult {
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  warnings: string[];
}

export async function runAckBenchmark(
  rig: Rig,
  options: {
    rounds: number;
    levels: readonly AckLevel[];
    kinds: readonly AckKind[];
    topology?: AckTopology;
  },
): Promise<AckRow[]> {
  const { kinds } = options;
  const topology = options.topology ?? { hosts: [rig.server], store: 'lowdb' };
  if (topology.hosts.length > 1 && topology.store === 'lowdb') {
    throw new Error('several bots need a shared store: PostgreSQL');
  }
  const label = topology.hosts.length > 1 ? ` (${topology.hosts.length} replicas)` : '';
  progress(`ack${label}: warm-up (untimed)`);
  for (const kind of kinds) {
    for (const server of ['bare', 'bot'] as const) {
      await runCell(rig, topology, server, kind, 50, 2);
    }
  }
  const results = new Map<string, { bot: CellResult[]; bare: CellResult[] }>();
  for (let r = 0; r < options.rounds; r++) {
    for (const kind of kinds) {
      for (const level of options.levels) {
        const key = `${kind}/${level.concurrency}`;
        const entry = results.get(key) ?? { bot: [], bare: [] };
        results.set(key, entry);
        // Alternate which server goes first so slow drift does not favour either.
        const order: ServerKind[] = r % 2 === 0 ? ['bare', 'bot'] : ['bot', 'bare'];
        for (const server of order) {
          const cell = await runCell(rig, topology, server, kind, level.concurrency, level.bursts);
          entry[server].push(cell);
        }
        const bot = entry.bot.at(-1) as CellResult;
        const bare = entry.bare.at(-1) as CellResult;
        progress(
          `ack${label} ${kind} c=${level.concurrency} round ${r + 1}/${options.rounds}: ` +
            `bot p50 ${bot.p50.toFixed(2)} p99 ${bot.p99.toFixed(2)} ms, ` +
            `bare p50 ${bare.p50.toFixed(2)} p99 ${bare.p99.toFixed(2)} ms`,
        );
      }
    }
  }

  const rows: AckRow[] = [];
  for (const kind of kinds) {
    for (const level of options.levels) {
      const entry = results.get(`${kind}/${level.concurrency}`);
      if (!entry) continue;
      const pick = (cells: CellResult[], f: (c: CellResult) => number) => cells.map(f);
      const botP50 = pick(entry.bot, (c) => c.p50);
      const botP99 = pick(entry.bot, (c) => c.p99);
      const bareP50 = pick(entry.bare, (c) => c.p50);
      const bareP99 = pick(entry.bare, (c) => c.p99);
      rows.push({
        kind,
        concurrency: level.concurrency,
        p50Ms: round(median(botP50)),
        p99Ms: round(median(botP99)),
        bareP50Ms: round(median(bareP50)),
        bareP99Ms: round(median(bareP99)),
        ratioP99: round(median(botP99) / median(bareP99)),
        ratioP50: round(median(botP50) / median(bareP50)),
        ratioP99PerRound: roundSpread(spreadOf(botP99.map((p, i) => p / (bareP99[i] ?? p)))),
        rounds: options.rounds,
        samplesPerRound: level.concurrency * level.bursts,
        spread: {
          p50Ms: roundSpread(spreadOf(botP50)),
          p99Ms: roundSpread(spreadOf(botP99)),
          bareP50Ms: roundSpread(spreadOf(bareP50)),
          bareP99Ms: roundSpread(spreadOf(bareP99)),
        },
        cpuMsPerRequest: round(median(pick(entry.bot, (c) => c.cpuMsPerRequest))),
        bareCpuMsPerRequest: round(median(pick(entry.bare, (c) => c.cpuMsPerRequest))),
        botWarnings: [...new Set(entry.bot.flatMap((c) => c.warnings))].slice(0, 10),
      });
    }
  }
  return rows;
}

async function runCell(
  rig: Rig,
  topology: AckTopology,
  server: ServerKind,
  kind: AckKind,
  concurrency: number,
  bursts: number,
): Promise<CellResult> {
  const { fakes } = rig;
  const { hosts } = topology;
  const [host] = hosts as [Child<ServerCall>];
  const onAll = <T>(call: ServerCall) => Promise.all(hosts.map((h) => h.call<T>(call)));
  const urls = await fakes.call<FakeUrls>({ op: 'startFakes', ecsLatencyMs: 0 });
  const dataDir = await makeDataDir();
  const database =
    server === 'bot' && topology.store === 'postgres' ? await createMigratedDatabase() : undefined;
  let client: SignedClient | undefined;
  let replies = 0;
  const nextResponseUrl = () => responseUrl(urls, `r${++replies}`);
  const requestText = () => `${instanceIds(2).join(' ')} key=bench-key`;
  const settle = async (): Promise<string[]> =>
    (await onAll<Settled>({ op: 'settle' })).flatMap((s) => s.warnings);
  const waitForCards = (count: number) =>
    fakes.call<string[]>({ op: 'waitForCards', count, timeoutMs: 30_000 });
  try {
    const env = botEnv(urls, dataDir, database ? { DATABASE_URL: database.url } : {});
    const started = await onAll<StartedServer>(
      server === 'bot'
        ? { op: 'startBot', env }
        : {
            op: 'startBare',
            botToken: BOT_TOKEN,
            signingSecret: SIGNING_SECRET,
            slackApiUrl: urls.slackApiUrl,
          },
    );
    const perHost = Math.ceil(concurrency / hosts.length);
    const signed = splitClient(
      started.map((s) => createSignedClient(`http://127.0.0.1:${s.port}`, SIGNING_SECRET, perHost)),
    );
    client = signed;
    // `help` opens every connection and warms the path without adding requests to the store. The
    // bot answers it on response_url after the ack: wait for those answers, so none of that work
    // runs into a timed burst, and leave them out of the refusal count.
    let helps = 0;
    const warm = async () => {
      for (let i = 0; i < Math.max(2, Math.ceil(40 / concurrency)); i++) {
        await signed.burst(
          Array.from({ length: concurrency }, () =>
            commandBody('help', responseUrl(urls, `help${++helps}`)),
          ),
        );
      }
      if (server === 'bot')
        await fakes.call({ op: 'waitForResponses', prefix: 'help', count: helps });
    };
    await warm();

    const total = concurrency * bursts;
    let targets: StoredCard[] = [];
    if (kind === 'approve' && server === 'bot') {
      // Each click decides a fresh pending request: post them first, untimed.
      for (let sent = 0; sent < total; sent += 50) {
        const n = Math.min(50, total - sent);
        await signed.burst(
          Array.from({ length: n }, () => commandBody(requestText(), nextResponseUrl())),
        );
      }
      const requestIds = await waitForCards(total);
      await settle();
      targets = await host.call<StoredCard[]>({ op: 'cards', requestIds });
      if (targets.length !== total) {
        throw new Error(`expected ${total} stored cards, found ${targets.length}`);
      }
      await warm();
    }
    await settle();

    const warnings: string[] = [];
    const samples: number[] = [];
    const cardsBefore = kind === 'command' && server === 'bot' ? (await waitForCards(0)).length : 0;
    const cpuBefore = totalCpu(await onAll<CpuTime>({ op: 'cpu' }));
    for (let b = 0; b < bursts; b++) {
      const bodies = Array.from({ length: concurrency }, (_, i) => {
        if (kind === 'command') return commandBody(requestText(), nextResponseUrl());
        const target = targets[b * concurrency + i];
        return approveBody({
          requestId: target?.requestId ?? 'ak-bare0000',
          channel: target?.channel ?? CHANNEL,
          ts: target?.ts ?? '1700000000.000100',
          responseUrl: nextResponseUrl(),
        });
      });
      samples.push(...(await signed.burst(bodies)));
      if (server === 'bot' && kind === 'command') {
        await waitForCards(cardsBefore + (b + 1) * concurrency);
      } else if (server === 'bot') {
        const count = (b + 1) * concurrency;
        await fakes.call({ op: 'waitForThreads', count, timeoutMs: 30_000 });
      }
      warnings.push(...(await settle()));
    }
    const cpuAfter = totalCpu(await onAll<CpuTime>({ op: 'cpu' }));
    // The bot answers on response_url only to refuse: any answer there means a wasted sample.
    const report = await fakes.call<FakesReport>({ op: 'report', ignoreResponsesTo: 'help' });
    if (server === 'bot' && report.responses > 0) {
      throw new Error(`${report.responses} requests were refused (first: ${report.firstResponse})`);
    }
    const cpuMicros = cpuAfter - cpuBefore;
    return {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      cpuMsPerRequest: cpuMicros / 1000 / total,
      warnings,
    };
  } finally {
    await client?.close();
    await onAll({ op: 'stop' });
    await fakes.call({ op: 'stopFakes' });
    await removeDir(dataDir);
    await database?.drop();
  }
}

/** Server CPU of every host, in microseconds. */
function totalCpu(times: readonly CpuTime[]): number {
  return times.reduce((sum, t) => sum + t.userMicros + t.systemMicros, 0);
}
