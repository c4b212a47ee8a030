// Short private answers and notes: usage, parse errors, the parser's notes, the requester's DMs
// and the approvers' reminder. Refusals are in refusals.ts; status and history in status.ts.

import { type ParseFailure, type ParseNote, USAGE } from '../../domain/parse.js';
import { approverLists } from '../../domain/policy.js';
import type { MutationRequest } from '../../domain/request.js';
import type { SandboxFacts } from '../../sandbox/fleet.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { messageReply } from './blocks.js';
import {
  codeSpan,
  escapeMrkdwn,
  escapeMrkdwnOnce,
  formatSlackDate,
  mentionApprover,
  mentionUser,
} from './escape.js';
import type { SlackReply } from './limits.js';
import { describeParseFailure, describeParseNote, MRKDWN_FORMAT } from './parse-problems.js';
import { describeSandbox } from './sandbox-help.js';
import { describeStopped } from './stopped.js';
import { describeTotals } from './totals.js';

export interface UsageOptions {
  /** The regions `region=` accepts (the known ones and the default); USAGE.regions if absent. */
  regions?: readonly string[];
  /** In sandbox mode: what the sandbox does, worded after the usage in the reader's language. */
  appendix?: SandboxFacts;
  /** ACCOUNTS_FILE: the account names `account=` takes. */
  accounts?: readonly string[];
}

/** `/attach-key help` in the reader's language. */
export function renderUsage(t: Catalogue, options: UsageOptions = {}): SlackReply {
  const base = t.usage(COMMAND, (options.regions ?? USAGE.regions).map(escapeMrkdwn));
  const usage = options.accounts?.length
    ? `${base}\n${t.usageAccounts(COMMAND, options.accounts.map(escapeMrkdwn))}`
    : base;
  if (!options.appendix) return messageReply(usage);
  return messageReply(`${usage}\n\n${escapeMrkdwnOnce(describeSandbox(options.appendix, t))}`);
}

/** What was wrong with the command, then the usage (without any appendix). */
export function renderParseError(
  failure: ParseFailure,
  t: Catalogue,
  options: Pick<UsageOptions, 'regions' | 'accounts'> = {},
): SlackReply {
  const problem = describeParseFailure(failure, t, MRKDWN_FORMAT);
  return messageReply(`:warning: ${problem}\n\n${renderUsage(t, options).text}`);
}

/** Things the parser fixed or assumed, shown to the requester with the accepted request. */
export function renderNotes(notes: readonly ParseNote[], t: Catalogue): SlackReply {
  const lines = notes.map((n) => `• ${describeParseNote(n, t)}`).join('\n');
  return messageReply(t.messages.notesAccepted(notes.length, lines));
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
      return messageReply(d.approved(request.kind, id, by));
    case 'rejected':
      return messageReply(d.rejected(request.kind, id, by));
    case 'expired':
      return messageReply(d.expired(request.kind, id, COMMAND));
    case 'results': {
      if (request.stopped) {
        const why = describeStopped(request.stopped, t);
        const link = threadUrl ? d.link(threadUrl) : d.noLink;
        return messageReply(`${t.guard.stopped.dm(id, why)} ${link}`);
      }
      const totals = describeTotals(request, t).line;
      return messageReply(
        d.results(request.kind, id, totals, threadUrl ? d.link(threadUrl) : d.noLink),
      );
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
  return messageReply(
    t.messages.reminder(
      codeSpan(request.id, 80),
      who,
      request.approval.approvals.length,
      request.approval.required,
      formatSlackDate(request.expiresAt, t),
    ),
  );
}
