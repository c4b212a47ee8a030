import type { PreviewRow } from './preview.js';
import { ms, range, type TargetCheck, table } from './report.js';

// The checks and tables of the phases beside ack, execution and store: the preview at submit
// (issue 9), the rolling restart (issue 11) and two replicas on one database (issue 14).

export interface PhaseRows {
  preview?: PreviewRow[];
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
          ms(r.wallMs),
          range(r.spread.wallMs),
          String(r.floorMs),
          `${r.ratio.toFixed(2)}x`,
          ms(r.limitMs),
          ms(r.ackMs),
          ms(r.firstReadMs),
          ms(r.tailMs),
        ]),
      ),
      '',
    );
  }
  return out;
}
