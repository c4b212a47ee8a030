import type { OperationKind } from '../../domain/request.js';
import { num, plural } from './en-words.js';

// English: refusals, status and history, the requester's private notes and the reminder.

const NOTHING = 'Nothing was changed.';
const FOLLOW_UP: Record<OperationKind, string> = {
  attach: 'binding',
  restart: 'restart',
  undo: 'undo',
  apply: 'apply now',
};
const HEADING: Record<OperationKind, string> = {
  attach: 'Request',
  restart: 'Restart request',
  undo: 'Undo request',
  apply: 'Apply-now request',
};
/** `restart request`, `apply-now request`; an attach is just a request. */
const requestOf = (kind: OperationKind) =>
  kind === 'attach' ? 'request' : `${kind === 'apply' ? 'apply-now' : kind} request`;

export const enMessages = {
  refusal: {
    not_approver: `:no_entry: You are not among the approvers of this request (APPROVER_USER_IDS, or the approvers its policy rules name). ${NOTHING}`,
    self_approval: `:no_entry: You asked for this request, so someone else has to approve it (self-approval is turned off). ${NOTHING}`,
    already_approved_by_you: (have: number, need: number) =>
      `:information_source: You already approved this request (${num(have)} of ${num(need)} approvals). It needs someone else now.`,
    already_decided: {
      expired: (when: string, command: string) =>
        `:hourglass: This request expired at ${when}. ${NOTHING} Ask again with \`${command}\` if it is still needed.`,
      rejected: (by: string, when: string) =>
        `:information_source: This request was already rejected${by} ${when}. ${NOTHING}`,
      approved: (by: string, when: string, progress: string) =>
        `:information_source: This request was already approved${by} ${when}.${progress}`,
      by: (who: string) => ` by ${who}`,
      progress: {
        approved: ' It is starting.',
        executing: ' It is running.',
        done: ' It has finished; the results are in the thread.',
        failed: ' It finished with errors; the results are in the thread.',
      } as Partial<Record<string, string>>,
    },
    expired: (when: string, command: string) =>
      `:hourglass: This request expired at ${when}. ${NOTHING} Ask again with \`${command}\` if it is still needed.`,
    unknown_request: (what: string, command: string) =>
      `:grey_question: I can't find ${what}: it may be archived or mistyped. \`${command} history\` lists recent requests.`,
    that_request: 'that request',
    request: (id: string) => `request ${id}`,
    shutting_down:
      ':construction: The bot is restarting and is not taking requests or decisions right now. Try again in a minute.',
    storage_unavailable: `:warning: Storage unavailable: the bot cannot reach its database right now. ${NOTHING} Try again in a minute.`,
    approvers_unresolved: (groups: string) =>
      `:no_entry: I could not ask Slack who is in ${groups}, and I know nobody in it yet, so I can't tell whether you may approve. ${NOTHING} Try again in a minute.`,
    channel_not_allowed: (where: string) =>
      `:no_entry: Key pair requests are not allowed in this channel. Ask in an allowed channel${where}.`,
    allowedChannels: (list: string) => `: use ${list}`,
    allowedChannelsUnknown: ' (ALLOWED_CHANNEL_IDS)',
    requester_not_allowed:
      ':no_entry: You are not on the list of people who may ask for key pairs (REQUESTER_USER_IDS). Ask an admin to add you, or ask someone on the list.',
    too_many_instances: (count: number | undefined, limit: number) =>
      `:no_entry: ${count === undefined ? 'That is too many instances' : `That is ${plural(count, 'instance')}`}; one request may hold at most ${num(limit)} (MAX_INSTANCES_PER_REQUEST). Split it into several requests.`,
    bot_not_in_channel: (me: string) =>
      `:wave: I can't post the approval card here because I'm not in this channel. Invite ${me}: type \`/invite @&lt;bot name&gt;\` in this channel, then ask again. ${NOTHING}`,
    me: (mention: string) => `me (${mention})`,
    meAlone: 'me',
    post_failed: (said: string) =>
      `:warning: I couldn't post the approval card${said}, so nothing was requested. Try again in a minute.`,
    slackSaid: (code: string) => ` (Slack said ${code})`,
    unknown_key_pair: (key: string, region: string, suggestions: string) =>
      `:no_entry: There is no key pair ${key} in ${region}, so nothing was requested.${suggestions} Check the name (or the kp- id) and the region, then ask again.`,
    didYouMean: (list: string) => ` Did you mean ${list}?`,
    already_requested: (kind: OperationKind, id: string, status: string) =>
      `:information_source: ${kind === 'apply' ? 'An' : 'A'} ${FOLLOW_UP[kind]} of this request was already asked for: request ${id} (${status}). Nothing new was created.`,
    not_finished:
      ':hourglass: This request has not finished yet; its follow-ups open once its results are posted.',
    nothing_to_do: (kind: 'restart' | 'undo' | 'apply'): string =>
      kind === 'restart'
        ? ':information_source: Nothing to restart: no instance of this request is both bound and RUNNING.'
        : kind === 'undo'
          ? ':information_source: Nothing to undo: no instance the request bound both has a known earlier key pair and still shows the key pair it bound.'
          : ':information_source: Nothing to apply now: no instance of this request is bound, RUNNING and has Cloud Assistant running. Restart instead.',
    undo_window_closed: (when: string) =>
      `:hourglass: Undo was offered until ${when} (UNDO_WINDOW_HOURS). ${NOTHING} To change the key pairs now, make a new request.`,
    undo_not_offered: ':information_source: Only a key pair binding can be undone.',
    apply_not_offered:
      ':information_source: Only a key pair binding can be applied now (a restart or an undo cannot).',
    public_key_unknown: (key: string, region: string, command: string, asThen: boolean) =>
      `:key: The bot does not know the public key of ${key} in ${region}, so it cannot put it in effect now. ${NOTHING} Import it first: \`${command} import NAME ssh-ed25519 AAAA…\` (the one line of the .pub file), then ${asThen ? 'send the request again, or ask for then=restart instead' : 'click again, or restart instead'}.`,
    public_key_mismatch: (key: string, known: string, bound: string, asThen: boolean) =>
      `:no_entry: The public key the bot keeps for ${key} (fingerprint ${known}) is not the one Volcengine shows for it (${bound}). ${NOTHING} Import the right public key again, then ${asThen ? 'send the request again' : 'click again'}.`,
  },
  unexpected:
    ':x: The bot hit an unexpected error and could not finish this. It is logged; `/attach-key history` shows what was recorded.',
  modalFailed: (code: string, usage: string) =>
    `I could not open the form (${code}). Type the request on one line instead:\n${usage}`,
  notesAccepted: (n: number, lines: string) =>
    `:information_source: Request accepted, with ${n === 1 ? 'a note' : 'notes'}:\n${lines}`,
  status: {
    heading: (kind: OperationKind, id: string, label: string, archived: boolean) =>
      `*${HEADING[kind] ?? 'Request'} ${id}*: ${label}${archived ? ' (archived)' : ''}`,
    asked: (who: string, when: string, where: string) => `Asked by ${who} ${when} in ${where}`,
    what: (key: string, region: string, n: number) =>
      `Key pair ${key} · region ${region} · ${plural(n, 'instance')}`,
    whatRestart: (region: string, n: number) => `Region ${region} · ${plural(n, 'instance')}`,
    parent: (id: string) => `Follow-up of request ${id}`,
    fingerprint: (fp: string) => `Fingerprint ${fp}`,
    approvals: (have: number, need: number) => `Approvals: ${num(have)} of ${num(need)}`,
    approved: (by: string, when: string) => `Approved${by}${when}`,
    rejected: (by: string, when: string) => `Rejected${by}${when}`,
    expired: (when: string) => `Expired${when}`,
    waiting: (until: string) => `Waiting for approval until ${until}`,
    by: (who: string) => ` by ${who}`,
    running: (answered: number, total: number) =>
      `Running: ${num(answered)} of ${plural(total, 'step')} answered`,
    errors: (list: string, more: boolean) => `Errors: ${list}${more ? ', …' : ''}`,
    finished: (when: string) => `Finished ${when}`,
    instances: '*Instances*',
    continued: (id: string, k: number, n: number) =>
      `Request ${id}, instances (part ${num(k)} of ${num(n)})`,
  },
  history: {
    empty: (command: string) =>
      `:open_file_folder: No requests yet. \`${command} help\` shows how to ask.`,
    title: (n: number) => `*Recent requests* (${num(n)})`,
    more: (n: number) => `… and ${num(n)} more not shown.`,
    fallback: (n: number) => `Recent requests: ${num(n)}.`,
    kind: {
      attach: '',
      restart: 'restart · ',
      undo: 'undo · ',
      apply: 'apply now · ',
    } as Record<OperationKind, string>,
    line: (
      id: string,
      when: string,
      who: string,
      what: string,
      label: string,
      decision: string,
      totals: string,
    ) => `• ${id} ${when} ${who}: ${what} — *${label}*${decision ? ` · ${decision}` : ''}${totals}`,
    what: (key: string, n: number, region: string) =>
      `${key} → ${plural(n, 'instance')} in ${region}`,
    whatRestart: (n: number, region: string) => `${plural(n, 'instance')} in ${region}`,
    totals: (ok: number, failed: number, unconfirmed: number) =>
      ` · ✅ ${num(ok)} ❌ ${num(failed)} ⚠️ ${num(unconfirmed)}`,
    sandbox: ' · SANDBOX',
  },
  dm: {
    approved: (kind: OperationKind, id: string, by: string) =>
      `:white_check_mark: Your ${requestOf(kind)} ${id} was approved by ${by}. It is running; I'll tell you when the results are posted.`,
    rejected: (kind: OperationKind, id: string, by: string) =>
      `:x: Your ${requestOf(kind)} ${id} was rejected by ${by}. Nothing was changed.`,
    expired: (kind: OperationKind, id: string, command: string) =>
      `:hourglass: Your ${requestOf(kind)} ${id} expired before it was approved; nothing was changed. Run \`${command}\` again if it is still needed.`,
    results: (kind: OperationKind, id: string, totals: string, link: string) =>
      `:clipboard: The results of your ${requestOf(kind)} ${id} are posted: ${totals}. ${link}`,
    link: (url: string) => `<${url}|Open the thread>`,
    noLink: 'They are in the thread under the approval card.',
  },
  reminder: (id: string, who: string, have: number, need: number, expires: string) =>
    `:bell: Still waiting for approval: request ${id} has ${num(have)} of ${num(need)} approvals and expires ${expires}. ${who}`,
  reminderNobody: '(no approver left to mention)',
};
