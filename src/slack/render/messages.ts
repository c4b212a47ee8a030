// Short ephemeral answers and private notes: usage, parse errors, notes, refusals, status,
// history, the requester's DMs and the reminder.

import type { types } from '@slack/bolt';
import { summarizeRequest } from '../../domain/operations/summary.js';
import { type ParseFailure, type ParseNote, USAGE } from '../../domain/parse.js';
import { approverLists } from '../../domain/policy.js';
import type { DecisionRefusal, MutationRequest } from '../../domain/request.js';
import type { SandboxFacts } from '../../sandbox/fleet.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { describeKeyPair } from './card-parts.js';
import {
  codeSpan,
  escapeMrkdwn,
  escapeMrkdwnOnce,
  formatSlackDate,
  mentionApprover,
  mentionChannel,
  mentionUser,
  truncateText,
} from './escape.js';
import { instanceLine, previewLookup } from './instance-lines.js';
import { SLACK_LIMITS, type SlackReply } from './limits.js';
import { describeParseFailure, describeParseNote, MRKDWN_FORMAT } from './parse-problems.js';
import { describeSandbox } from './sandbox-help.js';

/** Every reason a command, form or click changed nothing. */
export type Refusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId?: string }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  | { reason: 'approvers_unresolved'; groups: string[] }
  | { reason: 'channel_not_allowed'; allowedChannelIds?: readonly string[] }
  | { reason: 'requester_not_allowed' }
  | { reason: 'too_many_instances'; count?: number; limit: number }
  | { reason: 'bot_not_in_channel'; detail?: string; botUserId?: string }
  | { reason: 'post_failed'; detail?: string }
  | { reason: 'unknown_key_pair'; region: string; keyPair: string; suggestions: string[] }
  | { reason: 'already_requested'; existing: MutationRequest }
  | { reason: 'not_finished' }
  | { reason: 'nothing_to_do'; kind: 'restart' | 'undo' }
  | { reason: 'undo_window_closed'; closedAt: string }
  | { reason: 'undo_not_offered' };

const section = (text: string, blockId = 'message'): types.SectionBlock => ({
  type: 'section',
  block_id: blockId,
  text: { type: 'mrkdwn', text: truncateText(text, SLACK_LIMITS.sectionText) },
});

/** Text plus one section holding the same words, so long usage never breaks the section limit. */
const reply = (text: string): SlackReply => ({ text, blocks: [section(text)] });

export interface UsageOptions {
  /** The regions `region=` accepts (the known ones and the default); USAGE.regions if absent. */
  regions?: readonly string[];
  /** In sandbox mode: what the sandbox does, worded after the usage in the reader's language. */
  appendix?: SandboxFacts;
}

/** `/attach-key help` in the reader's language. */
export function renderUsage(t: Catalogue, options: UsageOptions = {}): SlackReply {
  const usage = t.usage(COMMAND, (options.regions ?? USAGE.regions).map(escapeMrkdwn));
  if (!options.appendix) return reply(usage);
  return reply(`${usage}\n\n${escapeMrkdwnOnce(describeSandbox(options.appendix, t))}`);
}

/** What was wrong with the command, then the usage (without any appendix). */
export function renderParseError(
  failure: ParseFailure,
  t: Catalogue,
  options: Pick<UsageOptions, 'regions'> = {},
): SlackReply {
  const problem = describeParseFailure(failure, t, MRKDWN_FORMAT);
  return reply(`:warning: ${problem}\n\n${renderUsage(t, options).text}`);
}

/** Things the parser fixed or assumed, shown to the requester with the accepted request. */
export function renderNotes(notes: readonly ParseNote[], t: Catalogue): SlackReply {
  const lines = notes.map((n) => `• ${describeParseNote(n, t)}`).join('\n');
  return reply(t.messages.notesAccepted(notes.length, lines));
}

export function renderRefusal(
  refusal: Refusal,
  t: Catalogue,
  options: { usage?: string; botUserId?: string } = {},
): SlackReply {
  const text = describeRefusal(refusal, t, options.botUserId);
  return reply(options.usage ? `${text}\n\n${escapeMrkdwnOnce(options.usage)}` : text);
}

function describeRefusal(refusal: Refusal, t: Catalogue, botUserId: string | undefined): string {
  const m = t.messages.refusal;
  const date = (iso: string) => formatSlackDate(iso, t);
  switch (refusal.reason) {
    case 'not_approver':
    case 'self_approval':
    case 'shutting_down':
    case 'storage_unavailable':
    case 'requester_not_allowed':
    case 'not_finished':
    case 'undo_not_offered':
      return m[refusal.reason];
    case 'already_approved_by_you':
      return m.already_approved_by_you(refusal.approvals, refusal.required);
    case 'already_decided': {
      const { decision, status } = refusal;
      const a = m.already_decided;
      const by = decision.by ? a.by(mentionUser(decision.by)) : '';
      if (decision.kind === 'expired') return a.expired(date(decision.at), COMMAND);
      if (decision.kind === 'rejected') return a.rejected(by, date(decision.at));
      return a.approved(by, date(decision.at), a.progress[status] ?? '');
    }
    case 'expired':
      return m.expired(date(refusal.expiresAt), COMMAND);
    case 'unknown_request':
      return m.unknown_request(
        refusal.requestId ? m.request(codeSpan(refusal.requestId, 80)) : m.that_request,
        COMMAND,
      );
    case 'approvers_unresolved':
      return m.approvers_unresolved(refusal.groups.map(mentionApprover).join(t.join.list));
    case 'channel_not_allowed':
      return m.channel_not_allowed(
        refusal.allowedChannelIds?.length
          ? m.allowedChannels(refusal.allowedChannelIds.map(mentionChannel).join(t.join.list))
          : m.allowedChannelsUnknown,
      );
    case 'too_many_instances':
      return m.too_many_instances(refusal.count, refusal.limit);
    case 'bot_not_in_channel':
      return m.bot_not_in_channel(botUserId ? m.me(mentionUser(botUserId)) : m.meAlone);
    case 'post_failed':
      return m.post_failed(refusal.detail ? m.slackSaid(codeSpan(refusal.detail, 80)) : '');
    case 'unknown_key_pair': {
      const list = refusal.suggestions.map((s) => codeSpan(s, 64)).join(t.join.list);
      return m.unknown_key_pair(
        codeSpan(refusal.keyPair, 64),
        codeSpan(refusal.region, 60),
        list ? m.didYouMean(list) : '',
      );
    }
    case 'already_requested': {
      const e = refusal.existing;
      return m.already_requested(e.kind, codeSpan(e.id, 80), t.status[e.status]);
    }
    case 'nothing_to_do':
      return m.nothing_to_do(refusal.kind);
    case 'undo_window_closed':
      return m.undo_window_closed(date(refusal.closedAt));
  }
}

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

function what(r: MutationRequest, t: Catalogue): string {
  const s = t.messages.status;
  return r.kind === 'restart'
    ? s.whatRestart(codeSpan(r.region, 60), r.instanceIds.length)
    : s.what(
        describeKeyPair({ ...r, preview: undefined }, t),
        codeSpan(r.region, 60),
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
    s.fingerprint(codeSpan(r.fingerprint, 40)),
    r.status === 'pending' ? s.approvals(r.approval.approvals.length, r.approval.required) : '',
    describeDecision(r, t),
  ];
  if (r.status === 'executing') {
    const answered = r.steps.filter((x) => x.state === 'done' || x.state === 'failed').length;
    lines.push(s.running(answered, r.steps.length));
  }
  if (summary) lines.push(t.results.totalsLine(r.kind, summary), describeFailures(r, t));
  if (r.finishedAt) lines.push(s.finished(formatSlackDate(r.finishedAt, t)));
  const head = lines.filter(Boolean).join('\n');

  const lookup = previewLookup(r);
  const instanceLines = [...new Set(r.instanceIds)].map((id) => instanceLine(lookup, id, t));
  const messages = packLines(head, s.instances, instanceLines);
  return messages.map((blocks, i) => ({
    text: i === 0 ? head : s.continued(r.id, i + 1, messages.length),
    blocks: blocks.map((text, j) => section(text, `status_${j}`)),
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
  return r.kind === 'restart'
    ? h.whatRestart(r.instanceIds.length, codeSpan(r.region, 40))
    : h.what(
        codeSpan(r.keyPairName ?? r.keyPairId ?? '?', 64),
        r.instanceIds.length,
        codeSpan(r.region, 40),
      );
}

/** `/attach-key history`: newest first, one line each, cut to fit one message. */
export function renderHistory(requests: readonly MutationRequest[], t: Catalogue): SlackReply {
  const h = t.messages.history;
  if (requests.length === 0) return reply(h.empty(COMMAND));
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
  const blocks: types.KnownBlock[] = sections.map((text, i) => section(text, `history_${i}`));
  if (shown < lines.length) {
    blocks.push({
      type: 'context',
      block_id: 'history_more',
      elements: [{ type: 'mrkdwn', text: h.more(lines.length - shown) }],
    });
  }
  return { text: h.fallback(requests.length), blocks };
}

/** The requester's private note when their request is decided, expires or has its results. */
export function renderRequesterNote(
  request: MutationRequest,
  news: 'approved' | 'rejected' | 'expired' | 'results',
  t: Catalogue,
  threadUrl?: string,
): SlackReply {
  const d = t.messages.dm;
  const id = codeSpan(request.id, 80);
  const by = request.decision?.by ? mentionUser(request.decision.by) : t.card.status.someone;
  switch (news) {
    case 'approved':
      return reply(d.approved(request.kind, id, by));
    case 'rejected':
      return reply(d.rejected(request.kind, id, by));
    case 'expired':
      return reply(d.expired(request.kind, id, COMMAND));
    case 'results': {
      const totals = t.results.totalsLine(request.kind, summarizeRequest(request));
      return reply(d.results(request.kind, id, totals, threadUrl ? d.link(threadUrl) : d.noLink));
    }
  }
}

/** The half-TTL nudge: who has yet to approve, mentioned so Slack notifies them. */
export function renderReminder(
  request: MutationRequest,
  approvers: readonly string[],
  t: Catalogue,
): SlackReply {
  const approved = new Set(request.approval.approvals.map((a) => a.by));
  const waiting = [...new Set(approverLists(request.approval.rules, approvers).flat())].filter(
    (id) => !approved.has(id) && id !== request.requesterId,
  );
  const who = waiting.length
    ? waiting.slice(0, 30).map(mentionApprover).join(' ')
    : t.messages.reminderNobody;
  return reply(
    t.messages.reminder(
      codeSpan(request.id, 80),
      who,
      request.approval.approvals.length,
      request.approval.required,
      formatSlackDate(request.expiresAt, t),
    ),
  );
}
