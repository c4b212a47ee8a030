// `/attach-key status ID` and `/attach-key history`: a request's whole story, and one line per
// request (the same subject line App Home shows).

import type { types } from '@slack/bolt';
import { summarizeRequest } from '../../domain/operations/summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { messageReply, section } from './blocks.js';
import { describeKeyPair } from './card-parts.js';
import { codeSpan, formatSlackDate, mentionChannel, mentionUser, truncateText } from './escape.js';
import { instanceLine, previewLookup } from './instance-lines.js';
import { SLACK_LIMITS, type SlackReply } from './limits.js';
import { renderRefusal } from './refusals.js';
import { describeRotation } from './rotation.js';
import { describeSelectionForStatus, selectorList } from './selection.js';
import { describeStopped } from './stopped.js';
import { describeTotals } from './totals.js';

function describeDecision(r: MutationRequest, t: Catalogue): string {
  const s = t.messages.status;
  const by = r.decision?.by ? s.by(mentionUser(r.decision.by)) : '';
  const when = r.decision ? ` ${formatSlackDate(r.decision.at, t)}` : '';
  switch (r.decision?.kind) {
    case 'approved':
      return s.approved(by, when);
    case 'rejected':
      return s.rejected(by, when);
    case 'expired':
      return s.expired(when);
    default:
      return r.status === 'pending' ? s.waiting(formatSlackDate(r.expiresAt, t)) : '';
  }
}

/** Failure codes and how often each occurred, most frequent first. */
function describeFailures(request: MutationRequest, t: Catalogue): string {
  const counts = new Map<string, number>();
  for (const r of summarizeRequest(request).results) {
    if (r.state === 'failed' || r.state === 'unconfirmed')
      counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (!top.length) return '';
  return t.messages.status.errors(
    top.map(([code, n]) => `${codeSpan(code, 80)} ×${t.num(n)}`).join(t.join.list),
    counts.size > top.length,
  );
}

/**
 * Where a request acts: its region, or `ACCOUNT/REGION` when it names an account (ACCOUNTS_FILE),
 * so status, history and App Home say whose cloud it is.
 */
export function placeOf(r: Pick<MutationRequest, 'account' | 'region'>, width: number): string {
  return r.account ? codeSpan(`${r.account}/${r.region}`, width + 33) : codeSpan(r.region, width);
}

function what(r: MutationRequest, t: Catalogue): string {
  const s = t.messages.status;
  return r.kind === 'restart'
    ? s.whatRestart(placeOf(r, 60), r.instanceIds.length)
    : s.what(
        describeKeyPair({ ...r, preview: undefined }, t, { read: !!r.preview?.keyPair }),
        placeOf(r, 60),
        r.instanceIds.length,
      );
}

/**
 * `/attach-key status ID`: one request, live or archived, with every instance line (the card
 * shows only the first ones). Several messages when the list is long.
 */
export function renderStatus(
  requestId: string,
  found: { request: MutationRequest; archived?: boolean } | undefined,
  t: Catalogue,
): SlackReply[] {
  if (!found) return [renderRefusal({ reason: 'unknown_request', requestId }, t)];
  const { request: r } = found;
  const s = t.messages.status;
  const summary = r.steps.some((x) => x.state === 'done' || x.state === 'failed')
    ? summarizeRequest(r)
    : undefined;
  const lines = [
    s.heading(r.kind, codeSpan(r.id, 80), t.status[r.status], !!found.archived),
    r.sandbox ? `_${t.sandboxNote}_` : '',
    r.parentId ? s.parent(codeSpan(r.parentId, 80)) : '',
    s.asked(
      mentionUser(r.requesterId),
      formatSlackDate(r.createdAt, t),
      mentionChannel(r.channelId),
    ),
    what(r, t),
    describeSelectionForStatus(r, t) ?? '',
    ...describeRotation(r, t),
    s.fingerprint(codeSpan(r.fingerprint, 40)),
    r.status === 'pending' ? s.approvals(r.approval.approvals.length, r.approval.required) : '',
    describeDecision(r, t),
    r.cancelled
      ? t.guard.cancelled(mentionUser(r.cancelled.by), formatSlackDate(r.cancelled.at, t))
      : '',
    r.stopped ? describeStopped(r.stopped, t) : '',
  ];
  if (r.status === 'executing') {
    const answered = r.steps.filter((x) => x.state === 'done' || x.state === 'failed').length;
    lines.push(s.running(answered, r.steps.length));
  }
  if (summary) lines.push(describeTotals(r, t).line, describeFailures(r, t));
  if (r.finishedAt) lines.push(s.finished(formatSlackDate(r.finishedAt, t)));
  const head = lines.filter(Boolean).join('\n');

  const lookup = previewLookup(r);
  const instanceLines = [...new Set(r.instanceIds)].map((id) => instanceLine(lookup, id, t));
  const messages = packLines(head, s.instances, instanceLines);
  return messages.map((blocks, i) => ({
    text: i === 0 ? head : s.continued(r.id, i + 1, messages.length),
    blocks: blocks.map((text, j) => section(`status_${j}`, text)),
  }));
}

/** Sections of up to 3,000 characters, messages within the block and text budgets. */
function packLines(head: string, title: string, lines: readonly string[]): string[][] {
  const budget = SLACK_LIMITS.blockTextBudget - 500;
  const messages: string[][] = [[head]];
  let current = messages[0] as string[];
  let used = head.length;
  let open = title;
  for (const line of lines) {
    if (open.length + line.length + 1 > SLACK_LIMITS.sectionText) {
      current.push(open);
      used += open.length;
      open = '';
    }
    if (
      used + open.length + line.length + 1 > budget ||
      current.length >= SLACK_LIMITS.blocksPerMessage - 1
    ) {
      if (open) current.push(open);
      current = [];
      messages.push(current);
      used = 0;
      open = '';
    }
    open = open ? `${open}\n${line}` : line;
  }
  if (open) current.push(open);
  return messages.filter((m) => m.length);
}

/** What a request acts on, in one phrase (history and App Home): key pair, count and region. */
export function requestSubject(r: MutationRequest, t: Catalogue): string {
  const h = t.messages.history;
  if (r.selection) {
    return t.fleet.historyWhat(
      codeSpan(r.keyPairName ?? r.keyPairId ?? '?', 64),
      r.instanceIds.length,
      selectorList(r.selection.selectors),
      placeOf(r, 40),
    );
  }
  return r.kind === 'restart'
    ? h.whatRestart(r.instanceIds.length, placeOf(r, 40))
    : h.what(
        codeSpan(r.keyPairName ?? r.keyPairId ?? '?', 64),
        r.instanceIds.length,
        placeOf(r, 40),
      );
}

/** `/attach-key history`: newest first, one line each, cut to fit one message. */
export function renderHistory(requests: readonly MutationRequest[], t: Catalogue): SlackReply {
  const h = t.messages.history;
  if (requests.length === 0) return messageReply(h.empty(COMMAND));
  const title = h.title(requests.length);
  const lines = requests.map((r) => {
    const decision = describeDecision(r, t);
    const summary = r.steps.some((x) => x.state === 'done' || x.state === 'failed')
      ? summarizeRequest(r)
      : undefined;
    const totals = summary
      ? h.totals(summary.counts.ok, summary.counts.failed, summary.counts.unconfirmed)
      : '';
    const subject = requestSubject(r, t);
    return truncateText(
      h.line(
        codeSpan(r.id, 40),
        formatSlackDate(r.createdAt, t),
        mentionUser(r.requesterId),
        `${h.kind[r.kind]}${subject}`,
        t.status[r.status],
        decision,
        `${totals}${r.sandbox ? h.sandbox : ''}`,
      ),
      900,
    );
  });

  const budget = SLACK_LIMITS.blockTextBudget - 500;
  const sections: string[] = [title];
  let used = title.length;
  let shown = 0;
  for (const line of lines) {
    const last = sections.length - 1;
    const current = sections[last] ?? '';
    if (used + line.length + 1 > budget || sections.length >= SLACK_LIMITS.blocksPerMessage - 1)
      break;
    if (current.length + line.length + 1 <= SLACK_LIMITS.sectionText)
      sections[last] = `${current}\n${line}`;
    else sections.push(line);
    used += line.length + 1;
    shown++;
  }
  const blocks: types.KnownBlock[] = sections.map((text, i) => section(`history_${i}`, text));
  if (shown < lines.length) {
    blocks.push({
      type: 'context',
      block_id: 'history_more',
      elements: [{ type: 'mrkdwn', text: h.more(lines.length - shown) }],
    });
  }
  return { text: h.fallback(requests.length), blocks };
}
