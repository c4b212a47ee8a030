// Every reason a command, form or click changed nothing, in the reader's language.

import type { AccountProblem } from '../../domain/accounts.js';
import type { DecisionRefusal, MutationRequest } from '../../domain/request.js';
import type { ApplyRefusal } from '../../service/apply-submit.js';
import type { SelectionRefusal } from '../../service/selection.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { messageReply } from './blocks.js';
import {
  codeSpan,
  escapeMrkdwnOnce,
  formatSlackDate,
  mentionApprover,
  mentionChannel,
  mentionUser,
} from './escape.js';
import type { SlackReply } from './limits.js';
import { describeParseFailure, MRKDWN_FORMAT } from './parse-problems.js';
import { describeSelectionRefusal } from './selection.js';

/** Every reason a command, form or click changed nothing. */
export type Refusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId?: string }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  | {
      reason: 'approvers_unresolved';
      groups: string[];
      stale?: { groups: string[]; afterMinutes: number };
    }
  | { reason: 'channel_not_allowed'; allowedChannelIds?: readonly string[] }
  | { reason: 'requester_not_allowed' }
  | { reason: 'external_user'; as: 'requester' | 'approver' }
  | { reason: 'too_many_instances'; count?: number; limit: number }
  | { reason: 'bot_not_in_channel'; detail?: string; botUserId?: string }
  | { reason: 'post_failed'; detail?: string }
  | { reason: 'unknown_key_pair'; region: string; keyPair: string; suggestions: string[] }
  | { reason: 'already_requested'; existing: MutationRequest }
  | { reason: 'not_finished' }
  | { reason: 'nothing_to_do'; kind: 'restart' | 'undo' | 'apply' }
  | { reason: 'undo_window_closed'; closedAt: string }
  | { reason: 'undo_not_offered' }
  | { reason: 'other_mode'; mode: 'sandbox' | 'live' }
  | { reason: 'too_many_open'; limit: number; open: readonly MutationRequest[] }
  | { reason: 'no_instances_found'; region: string; count: number }
  | { reason: 'not_requester'; requesterId: string }
  | { reason: 'not_cancellable'; status: MutationRequest['status'] }
  /** Apply now (its button, or then=apply-now): not offered, or the public key unknown. */
  | Exclude<ApplyRefusal, { reason: 'nothing_to_do' }>
  | SelectionRefusal
  /** ACCOUNTS_FILE: the account rules (worded as the parser words them). */
  | { reason: 'account_refused'; problem: AccountProblem };

export function renderRefusal(
  refusal: Refusal,
  t: Catalogue,
  options: { usage?: string; botUserId?: string } = {},
): SlackReply {
  const text = describeRefusal(refusal, t, options.botUserId);
  return messageReply(options.usage ? `${text}\n\n${escapeMrkdwnOnce(options.usage)}` : text);
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
    case 'apply_not_offered':
      return m[refusal.reason];
    case 'public_key_unknown':
      return m.public_key_unknown(
        codeSpan(refusal.keyPairName ?? refusal.keyPairId ?? '?', 64),
        codeSpan(refusal.region, 60),
        COMMAND,
        refusal.asked === 'then',
      );
    case 'public_key_mismatch':
      return m.public_key_mismatch(
        codeSpan(refusal.keyPairName, 64),
        codeSpan(refusal.known, 60),
        codeSpan(refusal.bound, 60),
        refusal.asked === 'then',
      );
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
      if (refusal.stale) {
        const groups = refusal.stale.groups.map(mentionApprover).join(t.join.list);
        return t.guard.refusal.approvers_stale(groups, refusal.stale.afterMinutes);
      }
      return m.approvers_unresolved(refusal.groups.map(mentionApprover).join(t.join.list));
    case 'channel_not_allowed':
      return m.channel_not_allowed(
        refusal.allowedChannelIds?.length
          ? m.allowedChannels(refusal.allowedChannelIds.map(mentionChannel).join(t.join.list))
          : m.allowedChannelsUnknown,
      );
    case 'external_user':
      return t.access.external[refusal.as];
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
    case 'selection_empty':
    case 'selection_too_many':
    case 'selection_capped':
    case 'selection_unbounded':
    case 'selection_failed':
      return describeSelectionRefusal(refusal, t);
    case 'other_mode':
      return t.guard.refusal.other_mode(refusal.mode, COMMAND);
    case 'too_many_open': {
      const shown = refusal.open.slice(0, 20).map((r) => codeSpan(r.id, 80));
      const more = refusal.open.length - shown.length;
      const list = `${shown.join(t.join.list)}${more > 0 ? t.card.andMore(more) : ''}`;
      return t.guard.refusal.too_many_open(refusal.open.length, refusal.limit, list);
    }
    case 'account_refused':
      return describeParseFailure({ problem: refusal.problem, more: 0 }, t, MRKDWN_FORMAT);
    case 'no_instances_found':
      return t.guard.refusal.no_instances_found(codeSpan(refusal.region, 60), refusal.count);
    case 'cancelled':
      return t.guard.refusal.cancelled(mentionUser(refusal.by), date(refusal.at));
    case 'not_requester':
      return t.guard.refusal.not_requester(mentionUser(refusal.requesterId));
    case 'not_cancellable':
      return t.guard.refusal.not_cancellable(t.status[refusal.status]);
  }
}
