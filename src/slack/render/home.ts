// The App Home tab (issue 12): "Waiting for you" with working Approve/Reject buttons (the card's
// own action ids and rules), and "Your requests" with their status.

import type { types } from '@slack/bolt';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { context, plain, section } from './blocks.js';
import { renderButtons } from './card-buttons.js';
import { codeSpan, formatSlackDate, mentionUser } from './escape.js';
import { describeWaiting } from './home-item.js';
import { SLACK_LIMITS } from './limits.js';
import { requestSubject } from './status.js';

/** Each waiting request takes a section and an actions block; keep room for the rest. */
const MAX_WAITING = 30;

export function renderHome(input: {
  waiting: readonly MutationRequest[];
  mine: readonly MutationRequest[];
  t: Catalogue;
  now: Date;
  /** Each waiting request's card (chat.getPermalink), by request id, where known. */
  permalinks?: ReadonlyMap<string, string>;
}): types.HomeView {
  const { t } = input;
  const h = t.home;
  const blocks: types.KnownBlock[] = [
    { type: 'header', block_id: 'home_header', text: plain(h.title) },
    context('home_intro', h.intro(COMMAND)),
    {
      type: 'header',
      block_id: 'home_waiting',
      text: plain(h.waitingHeading(input.waiting.length)),
    },
  ];
  if (!input.waiting.length) blocks.push(section('home_waiting_none', h.waitingNone));
  for (const r of input.waiting.slice(0, MAX_WAITING)) {
    blocks.push(
      section(
        `home_wait_${r.id}`,
        `${h.waitingLine(
          codeSpan(r.id, 40),
          t.messages.history.kind[r.kind],
          h.from(mentionUser(r.requesterId)),
          requestSubject(r, t),
          r.approval.approvals.length,
          r.approval.required,
          formatSlackDate(r.expiresAt, t),
        )}\n${describeWaiting(r, t, input.permalinks?.get(r.id))}`,
      ),
      renderButtons(r, t, `home_decide_${r.id}`),
    );
  }
  if (input.waiting.length > MAX_WAITING) {
    blocks.push(context('home_waiting_more', h.moreWaiting(input.waiting.length - MAX_WAITING)));
  }
  blocks.push({ type: 'divider', block_id: 'home_divider' });
  blocks.push({ type: 'header', block_id: 'home_mine', text: plain(h.mineHeading) });
  const lines = input.mine.map((r) =>
    h.mineLine(
      codeSpan(r.id, 40),
      t.messages.history.kind[r.kind],
      requestSubject(r, t),
      t.status[r.status],
      formatSlackDate(r.createdAt, t),
    ),
  );
  blocks.push(section('home_mine_list', lines.length ? wholeLines(lines, t) : h.mineNone));
  blocks.push(context('home_updated', h.updated(formatSlackDate(input.now.toISOString(), t))));
  return { type: 'home', blocks };
}

/**
 * As many whole lines as fit one section, then how many were left out. Cutting the text instead
 * could end it inside a date token or a code span, which Slack would show as raw markup.
 */
function wholeLines(lines: readonly string[], t: Catalogue): string {
  const budget = SLACK_LIMITS.sectionText - 200;
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    shown.push(line);
    used += line.length + 1;
  }
  const left = lines.length - shown.length;
  return left ? `${shown.join('\n')}\n${t.messages.history.more(left)}` : shown.join('\n');
}
