// A request's one-line totals (the card's finished line, status, history, the requester's note),
// read the way its kind is read: an apply now counts "in effect now" and "left out"; a rotation
// (then=restart) has the restart's totals after the attach's.

import { summarizeApply } from '../../domain/operations/apply-summary.js';
import { nextPhaseView } from '../../domain/operations/phases.js';
import { summarizeRequest } from '../../domain/operations/summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';

export function describeTotals(
  request: MutationRequest,
  t: Catalogue,
): { line: string; clean: boolean } {
  if (request.kind === 'apply') {
    const { counts } = summarizeApply(request);
    const problems = counts.failed + counts.timed_out + counts.left_out + counts.unconfirmed;
    return { line: t.apply.results.totalsLine(counts), clean: problems === 0 };
  }
  const summary = summarizeRequest(request);
  const line = t.results.totalsLine(request.kind, summary);
  const view = nextPhaseView(request);
  if (!view) return { line, clean: isClean(summary) };
  if (view.kind === 'apply') {
    const apply = describeTotals(view, t);
    return {
      line: t.fleet.applyNext.totals(line, apply.line),
      clean: isClean(summary) && apply.clean,
    };
  }
  const restart = summarizeRequest(view);
  return {
    line: t.fleet.rotation.totals(line, t.results.totalsLine(view.kind, restart)),
    clean: isClean(summary) && isClean(restart),
  };
}

function isClean(summary: ReturnType<typeof summarizeRequest>): boolean {
  const { counts } = summary;
  return counts.failed + counts.unconfirmed + counts.not_started + summary.mismatched === 0;
}
