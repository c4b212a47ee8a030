// A request's one-line totals (the card's finished line, status, history, the requester's note),
// read the way its kind is read: an apply now counts "in effect now" and "left out".

import { summarizeApply } from '../../domain/operations/apply-summary.js';
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
  const { counts } = summary;
  const clean = counts.failed + counts.unconfirmed + counts.not_started + summary.mismatched === 0;
  return { line: t.results.totalsLine(request.kind, summary), clean };
}
