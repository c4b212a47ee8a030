import { num, plural } from './en-words.js';

// English: what keeps an approval to what the card showed (issue 19): why a request ended without
// its calls, the requester's Cancel, and the refusals of those rules. Arguments that are already
// mrkdwn (code spans, mentions, dates) are passed in formatted.

const modeName = (mode: 'sandbox' | 'live') => (mode === 'sandbox' ? 'sandbox' : 'live');
const other = (mode: 'sandbox' | 'live') => (mode === 'sandbox' ? 'live' : 'sandbox');

export const enGuard = {
  stopped: {
    other_mode: (mode: 'sandbox' | 'live', command: string) =>
      `:no_entry_sign: This request was made in ${modeName(mode)} mode and the bot now runs ${other(mode)}: it was closed, and nothing was sent. Ask again with \`${command}\`.`,
    approval_lapsed: (approvedAt: string, minutes: number, command: string) =>
      `:hourglass: Approved ${approvedAt}, but not started within ${num(minutes)} min of the approval (REQUEST_TTL_MINUTES; the bot was down or busy): it expired, and nothing was sent. Ask again with \`${command}\`.`,
    undo_window_closed: (closedAt: string) =>
      `:hourglass: Undo was offered until ${closedAt} (UNDO_WINDOW_HOURS); it was approved after that, so it was not run, and nothing was sent. To change the key pairs now, make a new request.`,
    key_pair_changed: (approved: string, now: string) =>
      `:no_entry: The key pair changed after approval: nothing was sent. Approved: ${approved}. Now: ${now}. Find out who changed it, then ask again.`,
    key_pair_unreadable: (key: string, why: string) =>
      `:no_entry: The key pair ${key} could not be read again before the first call (${why}), so it could not be checked: nothing was sent. Ask again once it can be read.`,
    gone: 'gone (no key pair with that id)',
    /** The thread's heading of a request that never ran. */
    title: (id: string) => `*Request ${id} was not run*`,
    fallback: (id: string) => `Request ${id} was not run: nothing was sent.`,
    /** The requester's note. */
    dm: (id: string, why: string) => `Your request ${id} was not run. ${why}`,
  },
  /** A key pair as name · id (fingerprint). */
  key: (name: string, id: string, fingerprint: string) =>
    `${name} · ${id}${fingerprint ? ` (fingerprint ${fingerprint})` : ''}`,
  cancelled: (by: string, when: string) =>
    `:no_entry_sign: Cancelled by ${by} ${when}. Nothing was changed.`,
  cancel: {
    button: 'Cancel request',
    confirmTitle: 'Cancel this request?',
    confirmText:
      'It will no longer be possible to approve it, and nothing will be sent. You can ask again later.',
    confirm: 'Cancel request',
    deny: 'Keep it',
  },
  refusal: {
    other_mode: (mode: 'sandbox' | 'live', command: string) =>
      `:no_entry_sign: This request was made in ${modeName(mode)} mode and the bot now runs ${other(mode)}; nothing was sent. Ask again with \`${command}\`.`,
    cancelled: (by: string, when: string) =>
      `:no_entry_sign: This request was cancelled by ${by} ${when}. Nothing was changed.`,
    not_requester: (who: string) =>
      `:no_entry: Only ${who}, who asked for this request, can cancel it. Nothing was changed.`,
    not_cancellable: (status: string) =>
      `:information_source: This request can no longer be cancelled (it is ${status}): only a request waiting for approval can be. Nothing was changed.`,
    too_many_open: (count: number, limit: number, list: string) =>
      `:no_entry: You already have ${plural(count, 'request')} waiting for approval, the most one person may have (MAX_OPEN_REQUESTS_PER_USER is ${num(limit)}): ${list}. Cancel one, or wait until they are decided, then ask again. Nothing was requested.`,
    no_instances_found: (region: string, n: number) =>
      `:no_entry: None of ${n === 1 ? 'this instance exists' : `these ${num(n)} instances exists`} in ${region}, so nothing was requested. Check the ids and the region (region=), then ask again.`,
    approvers_stale: (groups: string, minutes: number) =>
      `:no_entry: I could not ask Slack who is in ${groups}, and what I knew of it is more than ${num(minutes)} min old, so I can't tell whether you may approve. Nothing was changed. Try again in a minute.`,
  },
  /** Why a tag rule applied although no instance was seen carrying its tag. */
  tagsUnknown: (unread: number, missing: number) => {
    const parts: string[] = [];
    if (unread) parts.push(`${plural(unread, 'instance')} could not be read`);
    if (missing) parts.push(`${plural(missing, 'instance')} missing from the answer`);
    return parts.length
      ? `tags unknown: ${parts.join(', ')}; applied to be safe`
      : 'tags could not be read: applied to be safe';
  },
};
