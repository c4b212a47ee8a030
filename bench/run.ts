import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AckKind, AckLevel, AckRow } from './ack.js';
import type { ApplyNowRow } from './apply-now.js';
import type { Rig } from './bot-env.js';
import { compileChildren, REPO_ROOT, removeCompiled, startChild } from './children.js';
import type { ExecutionRow } from './execution.js';
import {
  checkFleetTargets,
  FLEET_METHODS,
  FLEET_ROTATE,
  FLEET_SELECT,
  type FleetRows,
  formatFleetTables,
} from './fleet.js';
import type { OptionsRow } from './options.js';
import { checkTargets, describeMachine, formatTables } from './report.js';
import {
  checkPhaseTargets,
  formatPhaseTables,
  PHASE_METHODS,
  type PhaseRows,
} from './report-phases.js';
import { progress } from './stats.js';
import { runStoreBenchmark, type StoreRow } from './store.js';

// `npm run bench`: ack latency, execution time and store cost, each against its floor. Prints a
// table on stdout, progress on stderr, and writes bench/results.json.
// For diagnosis: BENCH_ONLY=ack,execution,options,store,… runs a subset; BENCH_ACK=approve/200 (kinds
// and concurrencies, comma-separated) narrows the ack cells, BENCH_EXECUTION=postgres/5000 the
// execution rows; BENCH_ROUNDS overrides the ack rounds;
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server host (bot and bare app). A run
// narrowed by any of these prints its table but leaves results.json alone.

// Two sets (issue 20). The default, `npm run bench`, is what matters for a change and finishes
// within 5 minutes on 2 cores: ack latency (3 rounds), execution at 1,000 and 5,000 instances on
// both stores, the options, the preview, the restart and the store at up to 10,000 requests. The
// full set, `npm run bench -- --full` or BENCH_FULL=1, runs everything: more rounds and sizes,
// two replicas, fleets and apply now. Both write results.json, with `ran` naming the
// parts that ran (and `full`). BENCH_ONLY=preview (any part names) runs those alone.
const FULL =
  process.argv.includes('--full') || /^(1|true|yes)$/i.test(process.env.BENCH_FULL ?? '');
const DEFAULT_PHASES = ['ack', 'execution', 'options', 'preview', 'restart', 'store'];
const FULL_PHASES = [
  'ack',
  'execution',
  'options',
  'store',
  'preview',
  'restart',
  'replicas',
  'fleet',
  'apply-now',
];
const ACK_LEVELS: AckLevel[] = [
  { concurrency: 1, bursts: 120 },
  { concurrency: 50, bursts: 8 },
  { concurrency: 200, bursts: 4 },
];
const ACK_ROUNDS = Number(process.env.BENCH_ROUNDS ?? (FULL ? 5 : 3));
const EXECUTION_SIZES = FULL ? [1, 100, 1_000, 5_000] : [1_000, 5_000];
const EXECUTION_RUNS = 3;
const OPTIONS_SETTINGS = { queries: 400, concurrency: 4 };
const EXECUTION_STORES = ['lowdb', 'postgres'] as const;
// Finished requests stored; lowdb keeps them in the history file beside DATA_FILE.
const LOWDB_STORE_SIZES = [
  { requests: 1_000, writes: 200, probes: 3 },
  { requests: 10_000, writes: 200, probes: 3 },
  ...(FULL ? [{ requests: 50_000, writes: 200, probes: 2 }] : []),
];
const PREVIEW = { sizes: [1, 100, 500], rounds: 3, samples: 5 };
const RESTART = { instances: 100, waveSize: 10, apiLatencyMs: 100, rebootMs: 1_000, runs: 3 };
const REPLICAS = { replicas: 2, levels: [{ concurrency: 200, bursts: 4 }] };
const APPLY_NOW = { instances: 500, apiLatencyMs: 100, commandMs: 1_000, runs: 3 };
const PG_STORE_SIZES = [
  { requests: 1_000, writes: 500, probes: 2 },
  { requests: 10_000, writes: 500, probes: 2 },
  ...(FULL ? [{ requests: 100_000, writes: 500, probes: 2 }] : []),
];

function ackCells(): { kinds: AckKind[]; levels: AckLevel[] } {
  const wanted = (process.env.BENCH_ACK ?? '').split(/[,/]/).filter(Boolean);
  const kinds = (['command', 'approve'] as const).filter(
    (k) => !wanted.some((w) => w === 'command' || w === 'approve') || wanted.includes(k),
  );
  const levels = ACK_LEVELS.filter(
    (l) => !wanted.some((w) => /^\d+$/.test(w)) || wanted.includes(String(l.concurrency)),
  );
  return { kinds, levels };
}

/** BENCH_EXECUTION=postgres/5000 (stores and sizes, comma-separated) narrows the execution rows. */
function executionCells(): { stores: Array<'lowdb' | 'postgres'>; sizes: number[] } {
  const wanted = (process.env.BENCH_EXECUTION ?? '').split(/[,/]/).filter(Boolean);
  const stores = EXECUTION_STORES.filter(
    (s) => !wanted.some((w) => w === 'lowdb' || w === 'postgres') || wanted.includes(s),
  );
  const sizes = EXECUTION_SIZES.filter(
    (n) => !wanted.some((w) => /^\d+$/.test(w)) || wanted.includes(String(n)),
  );
  return { stores, sizes };
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = new Set(
    (process.env.BENCH_ONLY ?? (FULL ? FULL_PHASES : DEFAULT_PHASES).join(',')).split(','),
  );
  progress(`${FULL ? 'full' : 'default'} set: ${[...only].join(', ')}`);
  progress('compiling the child processes (server host, fakes host, store probe) with tsc');
  const children = await compileChildren();
  let ack: AckRow[] = [];
  let execution: ExecutionRow[] = [];
  let store: StoreRow[] = [];
  let options: OptionsRow | undefined;
  let applyNow: ApplyNowRow | undefined;
  const phases: PhaseRows = {};
  const fleet: FleetRows = {};
  try {
    if (FULL_PHASES.filter((p) => p !== 'store').some((p) => only.has(p))) {
      const rig: Rig = {
        server: startChild(children.serverHost, process.env.BENCH_CPU_PROF),
        fakes: startChild(children.fakesHost),
      };
      try {
        if (only.has('ack')) {
          // Loaded on demand: BENCH_ONLY=store runs without loading the bot at all.
          const { runAckBenchmark } = await import('./ack.js');
          ack = await runAckBenchmark(rig, { rounds: ACK_ROUNDS, ...ackCells() });
        }
        if (only.has('execution')) {
          const { runExecutionBenchmark } = await import('./execution.js');
          execution = await runExecutionBenchmark(rig, {
            ...executionCells(),
            runs: EXECUTION_RUNS,
          });
        }
        if (only.has('options')) {
          const { runOptionsBenchmark } = await import('./options.js');
          options = await runOptionsBenchmark(rig, OPTIONS_SETTINGS);
        }
        if (only.has('preview')) {
          const { runPreviewBenchmark } = await import('./preview.js');
          phases.preview = await runPreviewBenchmark(rig, PREVIEW);
        }
        if (only.has('restart')) {
          const { runRestartBenchmark } = await import('./restart.js');
          phases.restart = [await runRestartBenchmark(rig, RESTART)];
        }
        if (only.has('fleet')) {
          const { runFleetRotateBenchmark, runFleetSelectBenchmark } = await import(
            './fleet-runs.js'
          );
          fleet.select = await runFleetSelectBenchmark(rig, FLEET_SELECT);
          fleet.rotate = await runFleetRotateBenchmark(rig, FLEET_ROTATE);
        }
        if (only.has('replicas')) {
          const { runReplicasBenchmark } = await import('./replicas.js');
          const { kinds } = ackCells();
          const options = { ...REPLICAS, rounds: ACK_ROUNDS, kinds };
          phases.replicas = await runReplicasBenchmark(rig, children.serverHost, options);
        }
        if (only.has('apply-now')) {
          const { runApplyNowBenchmark } = await import('./apply-now.js');
          applyNow = await runApplyNowBenchmark(rig, APPLY_NOW);
        }
      } finally {
        await rig.server.close();
        await rig.fakes.close();
      }
    }
    if (only.has('store')) {
      store = await runStoreBenchmark(children.storeProbe, {
        lowdb: LOWDB_STORE_SIZES,
        postgres: PG_STORE_SIZES,
        reads: 2_000,
      });
    }
  } finally {
    await removeCompiled();
  }

  const machine = describeMachine();
  const { checkApplyNowTargets, formatApplyNowTable } = await import('./apply-now.js');
  const targets = [
    ...checkTargets(ack, execution, store, options),
    ...checkPhaseTargets(phases),
    ...checkFleetTargets(fleet),
    ...(applyNow ? checkApplyNowTargets(applyNow) : []),
  ];
  const durationMs = Math.round(performance.now() - started);
  const results = {
    machine,
    generatedAt: new Date().toISOString(),
    durationMs,
    full: FULL,
    // The parts (and so the rows) this run measured; the others' rows are empty.
    ran: FULL_PHASES.filter((p) => only.has(p)),
    settings: {
      ack: { rounds: ACK_ROUNDS, levels: ACK_LEVELS },
      execution: { sizes: EXECUTION_SIZES, runs: EXECUTION_RUNS, stores: EXECUTION_STORES },
      store: { lowdb: LOWDB_STORE_SIZES, postgres: PG_STORE_SIZES },
      options: OPTIONS_SETTINGS,
      preview: PREVIEW,
      restart: RESTART,
      replicas: { ...REPLICAS, rounds: ACK_ROUNDS },
      fleet: { select: FLEET_SELECT, rotate: FLEET_ROTATE },
      applyNow: APPLY_NOW,
    },
    method: {
      ack: 'bursts of N v0-signed requests sent at once over keep-alive undici connections; latency = dispatch to complete HTTP response (the ack); after each burst the server finishes its background work, then both servers idle 5 ms; fresh server and fakes per cell; p50/p99 per round, median over rounds; server, fakes and load client in three processes; approve: every click decides a fresh pending request posted beforehand (untimed), which the bot then executes in the background (2 instances, fake ECS answering at once) before the next burst',
      execution:
        'approve click to the first results-thread message recorded by the fake Slack API; fake ECS answers every call after apiLatencyMs; floor = ceil(batches / concurrency) x apiLatencyMs + apiLatencyMs (the AttachKeyPair batches, each read back by one DescribeInstances as soon as it is answered, on a read budget of its own, so only the last read adds to the rounds); limit 1.1 x floor + 30 ms from 1,000 instances, 1.2 x floor + 50 ms below; phases from the fake ECS call log; MAX_INSTANCES_PER_REQUEST=5000; fresh bot and store per run (PostgreSQL: a fresh database on loopback)',
      options:
        'signed block_suggestion requests for the instance picker (cn-beijing), `concurrency` at a time, timed from dispatch to the options answer; 10,000 instances behind the fake ECS, every call answered after 100 ms; one fresh bot: cold = distinct texts (name fragments, 5-character id prefixes, whole ids, team words) while the region is being listed, repeated = the same texts again, listed = new texts once the background listing is complete',
      store:
        'N finished requests (2 instances, one done AttachKeyPair step with outcomes, results posted; lowdb: in the history file) and 10 live pending ones; fresh child process per probe (plain node, compiled) that only opens the store, RSS after 2 GCs; writes = sequential awaited update() of a live request (a header change, durable when it resolves); reads = sequential get() of random finished requests; step write = update() of one step of an executing 5,000-instance request (50 steps); PostgreSQL on loopback (TEST_DATABASE_URL or 127.0.0.1:5432), one fresh database per size, seeded in bulk then VACUUM ANALYZE',
      ...PHASE_METHODS,
      ...FLEET_METHODS,
      applyNow:
        'an import of the key and an attach of N instances (untimed) whose requester clicks Apply now on the results; the approve click of the apply-now card to the apply-now results in the thread; fake ECS answers every call after apiLatencyMs and a command is final commandMs after RunCommand answers; floor = ceil(ceil(N/100) / concurrency) x latency (DescribeCloudAssistantStatus beside DescribeInstances) + ceil(ceil(N/200) / concurrency) x latency (RunCommand) + commandMs + one 250 ms poll; per invocation from the call log: DescribeInvocationResults reads, in flight at once, shortest gap; fresh bot (lowdb) per run, median over runs; --full only',
    },
    ack,
    execution,
    options,
    store,
    ...phases,
    fleet,
    ...(applyNow ? { applyNow } : {}),
    targets,
  };
  const partial = ['BENCH_ONLY', 'BENCH_ACK', 'BENCH_ROUNDS', 'BENCH_EXECUTION'].some(
    (name) => process.env[name],
  );
  if (!partial) {
    await writeFile(
      join(REPO_ROOT, 'bench', 'results.json'),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  }
  const tables = formatTables(machine, ack, execution, store, targets, options, [
    ...formatPhaseTables(phases),
    ...formatFleetTables(fleet),
    ...(applyNow ? formatApplyNowTable(applyNow) : []),
  ]);
  process.stdout.write(`${tables}\n`);
  const where = partial
    ? 'a narrowed run: bench/results.json left as it was'
    : 'wrote bench/results.json';
  progress(`done in ${(durationMs / 1000).toFixed(1)} s; ${where}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
