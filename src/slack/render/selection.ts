// Fleets in words (issue 21): the selectors a request was made with, on the card, in `status` and
// `history`, and why a selection was refused. Selectors are shown as typed, as code spans.

import type { MutationRequest, Selector } from '../../domain/request.js';
import { formatSelector } from '../../domain/selectors.js';
import type { SelectionRefusal } from '../../service/selection.js';
import type { Catalogue } from '../i18n/en.js';
import { codeSpan, escapeMrkdwn, formatSlackDate, truncateText } from './escape.js';

/** `tag:env=prod` `tag:role=web`: each selector a code span, joined by spaces (they all hold). */
export function selectorList(selectors: readonly Selector[]): string {
  return selectors.map((s) => codeSpan(formatSelector(s), 200)).join(' ');
}

/** The card's "selected by … · 42 instances (read at 10:02)" line, when selectors chose them. */
export function describeSelection(request: MutationRequest, t: Catalogue): string | undefined {
  const selection = request.selection;
  if (!selection) return undefined;
  return t.fleet.selectedBy(
    selectorList(selection.selectors),
    request.instanceIds.length,
    formatSlackDate(selection.readAt, t),
  );
}

/** `status`: how the instances were chosen, when selectors chose them. */
export function describeSelectionForStatus(
  request: MutationRequest,
  t: Catalogue,
): string | undefined {
  const selection = request.selection;
  if (!selection) return undefined;
  return t.fleet.statusSelectedBy(
    selectorList(selection.selectors),
    formatSlackDate(selection.readAt, t),
  );
}

export function describeSelectionRefusal(refusal: SelectionRefusal, t: Catalogue): string {
  const r = t.fleet.refusal;
  const selectors = selectorList(refusal.selectors);
  const region = codeSpan(refusal.region, 60);
  switch (refusal.reason) {
    case 'selection_empty':
      return r.selection_empty(selectors, region);
    case 'selection_too_many':
      return r.selection_too_many(
        selectors,
        region,
        refusal.count,
        refusal.complete,
        refusal.total,
        refusal.limit,
      );
    case 'selection_capped':
      return r.selection_capped(selectors, region, refusal.total, refusal.cap);
    case 'selection_unbounded':
      return r.selection_unbounded(selectors, refusal.listed, refusal.pages);
    case 'selection_failed': {
      // The API's own words name what was refused (an IAM action, a parameter); the action and
      // the code are added when they do not already say them.
      const { code, message } = refusal.error;
      const said = message.includes(refusal.action) ? message : `${refusal.action}: ${message}`;
      const why = said.includes(code) ? said : `${code}: ${said}`;
      return r.selection_failed(selectors, region, escapeMrkdwn(truncateText(why, 400)));
    }
  }
}
