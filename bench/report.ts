import { cpus, release, totalmem, type } from 'node:os';
import type { AckRow } from './ack.js';
import type { ExecutionRow } from './execution.js';
import type { OptionsRow } from './options.js';
import type { StoreRow } from './store.js';

// The machine description, the target checks and the printed tables.

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  os: string;
  arch: string;
  totalMemoryBytes: number;
}

export interface TargetCheck {
  target: string;
  met: boolean;
  detail: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${type()} ${release()}`,
    arch: process.arch,
    totalMemoryBytes: totalmem(),
  };
}

export function checkTargets(
  ack: readonly AckRow[],
  execution: readonly ExecutionRow[],
  store: readonly StoreRow[],
  options?: OptionsRow,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const phase of options?.phases ?? []) {
    if (phase.phase === 'repeated') {
      checks.push({
        target: 'options: a repeated query answered from the cache < 20 ms (p99)',
        met: phase.p99Ms < 20,
        detail: `p99 ${phase.p99Ms} ms (p50 ${phase.p50Ms} ms)`,
      });
    } else {
      checks.push({
        target: `options ${phase.phase}, 10,000 instances at 100 ms per call: p99 < 1 s`,
        met: phase.p99Ms < 1_000,
        detail: `p99 ${phase.p99Ms} ms (p50 ${phase.p50Ms} ms, max ${phase.maxMs} ms)`,
      });
    }
  }
  for (const row of ack) {
    checks.push({
      target: `ack ${row.kind} c=${row.concurrency}: p99 <= 1.5x bare`,
      met: row.p99Ms <= 1.5 * row.bareP99Ms,
      detail: `${row.p99Ms} ms vs bare ${row.bareP99Ms} ms (${row.ratioP99}x)`,
    });
    if (row.concurrency === 200) {
      checks.push({
        target: `ack ${row.kind} c=200: p99 < 100 ms`,
        met: row.p99Ms < 100,
        detail: `${row.p99Ms} ms`,
      });
    }
  }
  for (const row of execution) {
    // Issue 20: from 1,000 instances, within 1.1x the floor (attach rounds + one read) + 30 ms.
    const rule = row.instances >= 1_000 ? '1.1x floor + 30 ms' : '1.2x floor + 50 ms';
    const over = row.wallMs - row.limitMs;
    checks.push({
      target: `execution ${row.store} ${row.instances} instances: <= ${rule}`,
      met: row.wallMs <= row.limitMs,
      detail:
        `${row.wallMs} ms vs limit ${row.limitMs} ms (floor ${row.floorMs} ms, ${row.ratio}x)` +
        (over > 0 ? `; ${over} ms over` : ''),
    });
  }
  const lowdb = store.filter((row) => row.store === 'lowdb');
  const postgres = store.filter((row) => row.store === 'postgres');
  const at10k = lowdb.find((row) => row.requests === 10_000);
  if (at10k) {
    checks.push({
      target: 'RSS with 10,000 requests < 150 MB',
      met: at10k.rssBytes < 150 * 2 ** 20,
      detail: `${mib(at10k.rssBytes)} MiB (empty-store baseline ${mib(at10k.baselineRssBytes)} MiB)`,
    });
  }
  const at50k = lowdb.find((row) => row.requests === 50_000);
  if (at50k) {
    checks.push({
      target: 'lowdb state-change write with 50,000 finished requests in history < 5 ms',
      met: at50k.writeMs < 5,
      detail: `median ${at50k.writeMs} ms (p99 ${at50k.writeP99Ms} ms)`,
    });
  }
  const at100k = postgres.find((row) => row.requests === 100_000);
  if (at100k) {
    checks.push({
      target: 'PostgreSQL write p99 at 100,000 requests < 5 ms (loopback)',
      met: at100k.writeP99Ms < 5,
      detail: `p99 ${at100k.writeP99Ms} ms (median ${at100k.writeMs} ms)`,
    });
  }
  for (const rows of [lowdb, postgres]) {
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1] as StoreRow;
      const b = rows[i] as StoreRow;
      // A write must not grow with what is stored: allow noise, not a trend (n^0.1 at most).
      const k = Math.log(b.writeMs / a.writeMs) / Math.log(b.requests / a.requests);
      checks.push({
        target: `${a.store} write ${a.requests} -> ${b.requests} requests: flat (at most n^0.1)`,
        met: k <= 0.1 || b.writeMs - a.writeMs < 0.5,
        detail: `${a.writeMs} -> ${b.writeMs} ms for ${b.requests / a.requests}x requests (n^${k.toFixed(2)})`,
      });
    }
  }
  return checks;
}

export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
export const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1));
export const range = (s: { min: number; max: number }) => `${ms(s.min)}–${ms(s.max)}`;

export const ACK_HEADER = [
  'kind',
  'conc',
  'bot p50',
  'bot p99',
  'bare p50',
  'bare p99',
  'p99 ratio [per round]',
  'cpu/req bot|bare',
];

/** An ack row's cells under ACK_HEADER. */
export function ackCells(r: AckRow): string[] {
  return [
    r.kind,
    String(r.concurrency),
    `${ms(r.p50Ms)} [${range(r.spread.p50Ms)}]`,
    `${ms(r.p99Ms)} [${range(r.spread.p99Ms)}]`,
    `${ms(r.bareP50Ms)} [${range(r.spread.bareP50Ms)}]`,
    `${ms(r.bareP99Ms)} [${range(r.spread.bareP99Ms)}]`,
    `${r.ratioP99.toFixed(2)}x [${r.ratioP99PerRound.min.toFixed(2)}–${r.ratioP99PerRound.max.toFixed(2)}]`,
    `${ms(r.cpuMsPerRequest)} | ${ms(r.bareCpuMsPerRequest)}`,
  ];
}

/** The cells every row timed against a floor shares: wall, its spread, floor, ratio, limit. */
export function floorCells(r: {
  wallMs: number;
  spread: { wallMs: { min: number; max: number } };
  floorMs: number;
  ratio: number;
  limitMs: number;
}): string[] {
  return [
    ms(r.wallMs),
    range(r.spread.wallMs),
    String(r.floorMs),
    `${r.ratio.toFixed(2)}x`,
    ms(r.limitMs),
  ];
}

export function formatTables(
  machine: Machine,
  ack: readonly AckRow[],
  execution: readonly ExecutionRow[],
  store: readonly StoreRow[],
  checks: readonly TargetCheck[],
  options?: OptionsRow,
  /** More tables (report-phases.ts), printed before the targets. */
  moreTables: readonly string[] = [],
): string {
  const out: string[] = [];
  out.push(
    `Machine: ${machine.cpus} x ${machine.model}, ${mib(machine.totalMemoryBytes)} MiB, ` +
      `Node ${machine.node}, ${machine.os}`,
    '',
  );
  if (ack.length) {
    const rounds = ack[0]?.rounds ?? 0;
    out.push(`Ack latency (ms; median of ${rounds} rounds, min–max over rounds in brackets)`);
    out.push(table(ACK_HEADER, ack.map(ackCells)), '');
  }
  if (execution.length) {
    const row0 = execution[0];
    out.push(
      `Execution: approve -> results thread (API latency ${row0?.apiLatencyMs} ms, ` +
        `VOLC_MAX_CONCURRENCY ${row0?.concurrency}; median of ${row0?.runs} runs; ` +
        'floor = ceil(batches / concurrency) x latency + one read: each batch read back as it answers)',
    );
    out.push(
      table(
        [
          'store',
          'instances',
          'batches',
          'wall ms',
          'min–max',
          'floor ms',
          'ratio',
          'limit ms',
          'key check',
          'first call',
          'attach',
          'last read',
          'reads during attach',
          'turnaround',
          'API late',
          'tail',
        ],
        execution.map((r) => [
          r.store,
          String(r.instances),
          String(r.batches),
          ...floorCells(r),
          ms(r.keyCheckMs),
          ms(r.firstCallMs),
          ms(r.attachMs),
          ms(r.lastReadMs),
          `${r.overlappedReads}/${r.verifyCalls}`,
          ms(r.turnaroundMs),
          ms(r.apiLateMs),
          ms(r.tailMs),
        ]),
      ),
      '(where the time goes: key check = click to the answer of the key pair check made before ' +
        'the first call (one DescribeKeyPairs, not in the floor); first call = click to the first ' +
        'AttachKeyPair; attach = that call to ' +
        'the last batch answered, floor ceil(batches / concurrency) x latency; last read = the last ' +
        'batch answered to its read-back answered, floor one latency; tail = that answer to the ' +
        'results thread; reads during attach = read-backs sent before the last batch answered; ' +
        "turnaround = a batch answered to its lane's next call (median; once per round); API late = " +
        'how much later than the latency the fake ECS answered (median))',
      '',
    );
  }
  if (options) {
    out.push(
      `Options: block_suggestion -> answer (${options.inventory} instances, API latency ` +
        `${options.apiLatencyMs} ms, ${options.concurrency} at a time; ` +
        `${options.describeCalls} DescribeInstances calls in all)`,
    );
    out.push(
      table(
        ['phase', 'answers', 'p50 ms', 'p99 ms', 'max ms', 'with a hint', 'empty'],
        options.phases.map((p) => [
          p.phase,
          String(p.samples),
          ms(p.p50Ms),
          ms(p.p99Ms),
          ms(p.maxMs),
          String(p.hinted),
          String(p.empty),
        ]),
      ),
      '',
    );
  }
  if (store.length) {
    out.push(
      'Store (N finished requests stored, 10 live; lowdb keeps finished ones in its history file; each probe is a fresh process)',
    );
    out.push(
      table(
        [
          'store',
          'requests',
          'probes x writes',
          'write ms',
          'p95',
          'p99',
          'read ms | p99',
          'step write | p99',
          'open list',
          'history',
          'stored MB',
          'RSS MiB',
          'open ms',
        ],
        store.map((r) => [
          r.store,
          String(r.requests),
          `${r.probes} x ${r.writesPerProbe}`,
          `${ms(r.writeMs)} [${range(r.spread.writeMs)}]`,
          ms(r.writeP95Ms),
          ms(r.writeP99Ms),
          `${ms(r.readMs)} | ${ms(r.readP99Ms)}`,
          `${ms(r.stepWriteMs)} | ${ms(r.stepWriteP99Ms)}`,
          ms(r.listOpenMs),
          ms(r.recentMs),
          (r.storedBytes / 1e6).toFixed(1),
          mib(r.rssBytes),
          ms(r.loadMs),
        ]),
      ),
      `(RSS of a process that opened an empty lowdb store: ${mib(store[0]?.baselineRssBytes ?? 0)} MiB; step write: one step of an executing 5,000-instance request)`,
      '',
    );
  }
  out.push(...moreTables);
  out.push('Targets');
  for (const check of checks) {
    out.push(`  ${check.met ? 'met   ' : 'MISSED'} ${check.target}: ${check.detail}`);
  }
  return out.join('\n');
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
