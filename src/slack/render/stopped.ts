// Why a request ended without its calls (issue 19), in one line for the card, the status reply and
// the requester's note, and the thread message that replaces the results. Pure.

import type { MutationRequest, StopReason } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { COMMAND } from '../ids.js';
import { withSandboxNote } from './blocks.js';
import { codeSpan, escapeMrkdwn, formatSlackDate } from './escape.js';
import type { SlackMessage } from './limits.js';

export function describeStopped(stopped: StopReason, t: Catalogue): string {
  const s = t.guard.stopped;
  const date = (iso: string) => formatSlackDate(iso, t);
  switch (stopped.reason) {
    case 'other_mode':
      return s.other_mode(stopped.mode, COMMAND);
    case 'approval_lapsed':
      return s.approval_lapsed(date(stopped.approvedAt), stopped.ttlMinutes, COMMAND);
    case 'undo_window_closed':
      return s.undo_window_closed(date(stopped.closedAt));
    case 'key_pair_changed': {
      const { approved, found } = stopped;
      return s.key_pair_changed(describeKey(approved, t), found ? describeKey(found, t) : s.gone);
    }
    case 'key_pair_unreadable': {
      const { error } = stopped;
      const why = escapeMrkdwn(
        `${error.code}: ${t.explain(error.code, error.message, error.call)}`,
      );
      return s.key_pair_unreadable(codeSpan(stopped.keyPair, 64), why);
    }
  }
}

function describeKey(
  key: { keyPairName?: string; keyPairId?: string; fingerprint?: string },
  t: Catalogue,
): string {
  return t.guard.key(
    codeSpan(key.keyPairName ?? '?', 64),
    codeSpan(key.keyPairId ?? '?', 64),
    key.fingerprint ? codeSpan(key.fingerprint, 100) : '',
  );
}

/** The thread message of a request that never ran, posted once in place of its results. */
export function renderStoppedNote(
  request: MutationRequest,
  stopped: StopReason,
  t: Catalogue,
  sandbox: boolean,
): SlackMessage {
  const id = codeSpan(request.id, 80);
  const text = [sandbox ? `*${t.sandboxNote}*` : '', t.guard.stopped.title(id)]
    .concat(describeStopped(stopped, t))
    .filter(Boolean)
    .join('\n');
  return {
    text: withSandboxNote(t.guard.stopped.fallback(escapeMrkdwn(request.id)), t, sandbox),
    blocks: [{ type: 'section', block_id: 'stopped', text: { type: 'mrkdwn', text } }],
  };
}
