// Short ephemeral answers: usage, parse errors, notes, refusals, status and history.

import type { types } from '@slack/bolt';
import { type RequestDigest, summarize, toRequestDigest } from '../../domain/outcome.js';
import type { AttachRequest, DecisionRefusal, RequestStatus } from '../../domain/request.js';
import { COMMAND } from '../ids.js';
import { describeKeyPair, SANDBOX_NOTE, STATUS_LABELS } from './approval-card.js';
import {
  codeSpan,
  escapeMrkdwnOnce,
  formatSlackDate,
  mentionChannel,
  mentionUser,
  plural,
  truncateText,
} from './escape.js';
import { SLACK_LIMITS, type SlackReply } from './limits.js';

/** Every reason a command, form or click changed nothing. */
export type Refusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId?: string }
  | { reason: 'shutting_down' }
  | { reason: 'channel_not_allowed'; allowedChannelIds?: readonly string[] }
  | { reason: 'requester_not_allowed' }
  | { reason: 'too_many_instances'; count?: number; limit: number }
  | { reason: 'bot_not_in_channel'; detail?: string; botUserId?: string }
  | { reason: 'post_failed'; detail?: string };

const section = (text: string, blockId = 'message'): types.SectionBlock => ({
  type: 'section',
  block_id: blockId,
  text: { type: 'mrkdwn', text: truncateText(text, SLACK_LIMITS.sectionText) },
});

/** Text plus one section holding the same words, so long usage never breaks the section limit. */
const reply = (text: string): SlackReply => ({ text, blocks: [section(text)] });

export function renderUsage(usage: string): SlackReply {
  return reply(escapeMrkdwnOnce(usage));
}

/** `message` comes from the parser, which already escapes what the user typed. */
export function renderParseError(message: string, usage: string): SlackReply {
  return reply(`:warning: ${escapeMrkdwnOnce(message)}\n\n${escapeMrkdwnOnce(usage)}`);
}

/** Things the parser fixed or assumed, shown to the requester with the accepted request. */
export function renderNotes(notes: readonly string[]): SlackReply {
  const lines = notes.map((n) => `• ${escapeMrkdwnOnce(n)}`).join('\n');
  return reply(
    `:information_source: Request accepted, with ${notes.length === 1 ? 'a note' : 'notes'}:\n${lines}`,
  );
}

export function renderRefusal(
  refusal: Refusal,
  options: { usage?: string; botUserId?: string } = {},
): SlackReply {
  const text = describeRefusal(refusal, options.botUserId);
  return reply(options.usage ? `${text}\n\n${escapeMrkdwnOnce(options.usage)}` : text);
}

const NOTHING_CHANGED = 'Nothing was changed.';

function describeRefusal(refusal: Refusal, botUserId: string | undefined): string {
  switch (refusal.reason) {
    case 'not_approver':
      return `:no_entry: Only the approvers listed in APPROVER_USER_IDS can approve or reject requests. ${NOTHING_CHANGED}`;
    case 'self_approval':
      return `:no_entry: You asked for this request, so someone else has to approve it (self-approval is turned off). ${NOTHING_CHANGED}`;
    case 'already_decided':
      return describeAlreadyDecided(refusal);
    case 'expired':
      return `:hourglass: This request expired at ${formatSlackDate(refusal.expiresAt)}. ${NOTHING_CHANGED} Ask again with \`${COMMAND}\` if it is still needed.`;
    case 'unknown_request':
      return `:grey_question: I can't find ${refusal.requestId ? `request ${codeSpan(refusal.requestId, 80)}` : 'that request'}: it may be archived or mistyped. \`${COMMAND} history\` lists recent requests.`;
    case 'shutting_down':
      return ':construction: The bot is restarting and is not taking requests or decisions right now. Try again in a minute.';
    case 'channel_not_allowed': {
      const where = refusal.allowedChannelIds?.length
        ? `: use ${refusal.allowedChannelIds.map(mentionChannel).join(', ')}`
        : ' (ALLOWED_CHANNEL_IDS)';
      return `:no_entry: Key pair requests are not allowed in this channel. Ask in an allowed channel${where}.`;
    }
    case 'requester_not_allowed':
      return ':no_entry: You are not on the list of people who may ask for key pairs (REQUESTER_USER_IDS). Ask an admin to add you, or ask someone on the list.';
    case 'too_many_instances': {
      const count =
        refusal.count === undefined
          ? 'That is too many instances'
          : `That is ${plural(refusal.count, 'instance')}`;
      return `:no_entry: ${count}; one request may hold at most ${refusal.limit.toLocaleString('en-US')} (MAX_INSTANCES_PER_REQUEST). Split it into several requests.`;
    }
    case 'bot_not_in_channel': {
      const me = botUserId ? `me (${mentionUser(botUserId)})` : 'me';
      return `:wave: I can't post the approval card here because I'm not in this channel. Invite ${me}: type \`/invite @&lt;bot name&gt;\` in this channel, then ask again. ${NOTHING_CHANGED}`;
    }
    case 'post_failed': {
      const said = refusal.detail ? ` (Slack said ${codeSpan(refusal.detail, 80)})` : '';
      return `:warning: I couldn't post the approval card${said}, so nothing was requested. Try again in a minute.`;
    }
  }
}

function describeAlreadyDecided(
  refusal: Extract<DecisionRefusal, { reason: 'already_decided' }>,
): string {
  const { decision, status } = refusal;
  const by = decision.by ? ` by ${mentionUser(decision.by)}` : '';
  const when = formatSlackDate(decision.at);
  if (decision.kind === 'expired') {
    return `:hourglass: This request expired at ${when}. ${NOTHING_CHANGED} Ask again with \`${COMMAND}\` if it is still needed.`;
  }
  if (decision.kind === 'rejected') {
    return `:information_source: This request was already rejected${by} ${when}. ${NOTHING_CHANGED}`;
  }
  const progress: Partial<Record<RequestStatus, string>> = {
    approved: ' It is starting.',
    executing: ' It is running.',
    done: ' It has finished; the results are in the thread.',
    failed: ' It finished with errors; the results are in the thread.',
  };
  return `:information_source: This request was already approved${by} ${when}.${progress[status] ?? ''}`;
}

type Found = { request: AttachRequest | RequestDigest; archived?: boolean };

const isFullRequest = (r: AttachRequest | RequestDigest): r is AttachRequest =>
  Array.isArray((r as AttachRequest).batches);

const digestOf = (r: AttachRequest | RequestDigest): RequestDigest =>
  isFullRequest(r) ? toRequestDigest(r) : r;

function describeDecision(d: RequestDigest): string {
  const by = d.decision?.by ? ` by ${mentionUser(d.decision.by)}` : '';
  const when = d.decision ? ` ${formatSlackDate(d.decision.at)}` : '';
  switch (d.decision?.kind) {
    case 'approved':
      return `Approved${by}${when}`;
    case 'rejected':
      return `Rejected${by}${when}`;
    case 'expired':
      return `Expired${when}`;
    default:
      return d.status === 'pending'
        ? `Waiting for approval until ${formatSlackDate(d.expiresAt)}`
        : '';
  }
}

function describeTotals(d: RequestDigest): string {
  if (!d.totals) return '';
  const t = d.totals;
  return `:white_check_mark: ${t.succeeded} succeeded · :x: ${t.failed} failed · :warning: ${t.unconfirmed} unconfirmed`;
}

/** Failure codes and how often each occurred, most frequent first. */
function describeFailures(request: AttachRequest): string {
  const summary = summarize(request);
  const counts = new Map<string, number>();
  for (const f of summary.failed) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  for (const n of summary.unconfirmed) counts.set(n.code, (counts.get(n.code) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (!top.length) return '';
  return `Errors: ${top.map(([code, n]) => `${codeSpan(code, 80)} ×${n}`).join(', ')}${counts.size > top.length ? ', …' : ''}`;
}

/** `/attach-key status ID`: one request, live or archived. */
export function renderStatus(requestId: string, found: Found | undefined): SlackReply {
  if (!found) return renderRefusal({ reason: 'unknown_request', requestId });
  const { request } = found;
  const d = digestOf(request);
  const lines = [
    `*Request ${codeSpan(d.id, 80)}*: ${STATUS_LABELS[d.status]}${found.archived ? ' (archived)' : ''}`,
    d.sandbox ? `_${SANDBOX_NOTE}_` : '',
    `Asked by ${mentionUser(d.requesterId)} ${formatSlackDate(d.createdAt)} in ${mentionChannel(d.channelId)}`,
    `Key pair ${describeKeyPair(d)} · region ${codeSpan(d.region, 60)} · ${plural(d.instanceCount, 'instance')}`,
    describeDecision(d),
  ];
  if (isFullRequest(request) && request.status === 'executing') {
    const answered = request.batches.filter((b) => b.state === 'done' || b.state === 'failed');
    lines.push(
      `Running: ${answered.length} of ${plural(request.batches.length, 'batch', 'batches')} answered`,
    );
  }
  lines.push(describeTotals(d));
  if (isFullRequest(request)) lines.push(describeFailures(request));
  if (d.finishedAt) lines.push(`Finished ${formatSlackDate(d.finishedAt)}`);
  const text = lines.filter(Boolean).join('\n');
  return reply(text);
}

/** The requester's private note when a request expires before anyone decided. */
export function renderExpiredNotice(request: AttachRequest): SlackReply {
  return reply(
    `:hourglass: Your request ${codeSpan(request.id, 80)} expired before anyone approved it; nothing was changed. Run \`${COMMAND}\` again if it is still needed.`,
  );
}

/** `/attach-key history`: newest first, one line each, cut to fit one message. */
export function renderHistory(requests: readonly (AttachRequest | RequestDigest)[]): SlackReply {
  if (requests.length === 0) {
    return reply(`:open_file_folder: No requests yet. \`${COMMAND} help\` shows how to ask.`);
  }
  const title = `*Recent key pair requests* (${requests.length})`;
  const lines = requests.map((r) => {
    const d = digestOf(r);
    const decision = describeDecision(d);
    const totals = d.totals
      ? ` · ✅ ${d.totals.succeeded} ❌ ${d.totals.failed} ⚠️ ${d.totals.unconfirmed}`
      : '';
    return truncateText(
      `• ${codeSpan(d.id, 40)} ${formatSlackDate(d.createdAt)} ${mentionUser(d.requesterId)}: ${describeKeyPair(d)} → ${plural(d.instanceCount, 'instance')} in ${codeSpan(d.region, 40)} — *${STATUS_LABELS[d.status]}*${decision ? ` · ${decision}` : ''}${totals}${d.sandbox ? ' · SANDBOX' : ''}`,
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
    if (used + line.length + 1 > budget || sections.length >= SLACK_LIMITS.blocksPerMessage - 1) {
      break;
    }
    if (current.length + line.length + 1 <= SLACK_LIMITS.sectionText) {
      sections[last] = `${current}\n${line}`;
    } else {
      sections.push(line);
    }
    used += line.length + 1;
    shown++;
  }
  const blocks: types.KnownBlock[] = sections.map((text, i) => section(text, `history_${i}`));
  if (shown < lines.length) {
    blocks.push({
      type: 'context',
      block_id: 'history_more',
      elements: [{ type: 'mrkdwn', text: `… and ${lines.length - shown} more not shown.` }],
    });
  }
  return { text: `Recent key pair requests: ${requests.length}.`, blocks };
}
