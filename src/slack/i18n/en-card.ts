import { num, plural, they } from './en-words.js';

// English: the approval card (every kind, every status). Arguments that are already mrkdwn
// (code spans, mentions, dates) are passed in formatted; counts are numbers.

export const enCard = {
  title: {
    attach: 'Attach key pair',
    restart: (n: number) => `Restart ${plural(n, 'instance')}`,
    undo: 'Undo key pair binding',
    apply: (n: number) => `Apply key now on ${plural(n, 'instance')} (no restart)`,
  },
  header: (title: string, label: string) => `${title}: ${label}`,
  sandboxHeader: (text: string) => `:test_tube: SANDBOX — ${text}`,
  sandboxContext:
    ':test_tube: SANDBOX — simulated, nothing changes on real instances: the ECS calls are simulated.',
  followUpOf: (kind: 'restart' | 'undo' | 'apply', id: string) =>
    kind === 'restart'
      ? `Restart after request ${id}`
      : kind === 'undo'
        ? `Undo of request ${id}`
        : `Apply now after request ${id}`,
  fields: {
    requestedBy: 'Requested by',
    keyPair: 'Key pair',
    keyPairUndone: 'Key pair taken back',
    account: 'Account',
    region: 'Region',
    instances: 'Instances',
    approvals: 'Approvals',
  },
  approvalsOf: (have: number, need: number) => `${num(have)} of ${num(need)}`,
  keyPair: {
    idWins: (id: string, name: string) => `${id} (the id is used; the name ${name} is ignored)`,
    found: (name: string, id: string) => `${name} · ${id}`,
    fingerprint: (fp: string) => `fingerprint ${fp}`,
    notChecked: (why: string) =>
      `_not checked: ${why}. It is read again, and must exist, before the first call._`,
    none: '_none given_',
  },
  preview: {
    heading: '*What approving changes*',
    replaces: (key: string, n: number) => `Replaces ${key} on ${plural(n, 'instance')}.`,
    alreadyBound: (n: number) =>
      `${plural(n, 'instance')} already ${n === 1 ? 'carries' : 'carry'} this key pair: nothing changes on ${they(n)}.`,
    noKeyPair: (n: number) =>
      `${plural(n, 'instance')} ${n === 1 ? 'has' : 'have'} no key pair yet: password login will stop working on ${they(n)}.`,
    bindsAll: (n: number) => `Binds the key pair to ${plural(n, 'instance')}.`,
    willFail: (list: string) => `*Will fail:* ${list}.`,
    windows: (ids: string, n: number) => `${ids} ${n === 1 ? 'is' : 'are'} Windows (no key pairs)`,
    notFound: (ids: string, n: number) =>
      `${ids} ${n === 1 ? 'was' : 'were'} not found in this region`,
    wrongStatus: (ids: string, status: string, must: string, n: number) =>
      `${ids} ${n === 1 ? 'is' : 'are'} ${status} (must be ${must})`,
    mustBind: 'Running or Stopped',
    mustRestart: 'Running',
    unavailable: (why: string) =>
      `:grey_question: Preview unavailable: ${why}. Approving still sends the calls as asked; the thread will say what happened to each instance.`,
    partlyUnread: (n: number, why: string) =>
      `:grey_question: ${plural(n, 'instance')} could not be read (${why}).`,
    unrequested: (n: number) =>
      `The API also listed ${plural(n, 'instance')} that ${n === 1 ? 'was' : 'were'} not asked for; ignored.`,
    malformed: (n: number) =>
      `${plural(n, 'entry', 'entries')} of the API's answer could not be read; skipped.`,
    pagingStopped: (pages: number) =>
      `The API kept paging; reading stopped after ${num(pages)} pages.`,
  },
  restartPlan: (n: number, waves: number, waveSize: number, minutes: number) =>
    `Reboots ${plural(n, 'instance')} in ${plural(waves, 'wave')} of up to ${num(waveSize)}, one wave at a time. Each wave waits until its instances are RUNNING again (at most ${num(minutes)} min); a wave with a failure stops the roll.`,
  undoPlan: {
    restores: (key: string, n: number) => `Gives ${key} back to ${plural(n, 'instance')}.`,
    detaches: (key: string, n: number) =>
      `Removes ${key} from ${plural(n, 'instance')} that had no key pair before.`,
    changedSince: (ids: string, n: number) =>
      `${ids} now ${n === 1 ? 'shows' : 'show'} another key pair than the attach bound: the undo will likely fail there.`,
  },
  excluded: {
    previous_key_unknown: (ids: string, n: number) =>
      `Left alone: ${ids} (${n === 1 ? 'its' : 'their'} key pair before the attach is unknown: the preview could not read ${they(n)}).`,
    key_changed_since: (ids: string, n: number) =>
      `Left alone: ${ids} (key pair changed since the attach: undoing would put back a key that was replaced on ${they(n)}).`,
    key_unknown_now: (ids: string, n: number) =>
      `Left alone: ${ids} (${n === 1 ? 'its' : 'their'} key pair now could not be read, so it is not known to be the attach's).`,
    stopped: (ids: string, n: number) =>
      `Not restarted: ${ids} (bound while stopped: the key takes effect at ${n === 1 ? 'its' : 'their'} next start).`,
    status_unknown: (ids: string, _n: number) =>
      `Not restarted: ${ids} (status unknown: restart by hand if needed).`,
    not_bound: (ids: string, n: number) =>
      `Not restarted: ${ids} (the key pair was not bound to ${they(n)}: see the attach results).`,
    not_verified: (ids: string, n: number) =>
      `Not restarted: ${ids} (the binding could not be verified on ${they(n)}: check, then restart by hand).`,
    not_running: (ids: string, _n: number) => `Left out: ${ids} (not RUNNING now).`,
    no_assistant: (ids: string, _n: number) =>
      `Left out: ${ids} (Cloud Assistant not running: restart instead).`,
  },
  instancesHeading: (n: number) => `*${plural(n, 'instance')}*`,
  instanceLine: {
    found: (id: string, name: string, status: string, key: string) =>
      `${id} ${name} · ${status} · ${key}`,
    noKey: 'no key pair',
    notFound: (id: string) => `${id} _not found_`,
    unread: (id: string) => `${id} _not read_`,
  },
  more: (n: number, command: string) => `… and ${num(n)} more: ${command} lists them all.`,
  andMore: (n: number) => ` … and ${num(n)} more`,
  consequencesHeading: {
    attach: (n: number) =>
      `*Approving binds the key pair to ${n === 1 ? 'this instance' : `these ${num(n)} instances`}:*`,
    restart: (n: number) =>
      `*Approving reboots ${n === 1 ? 'this instance' : `these ${num(n)} instances`}:*`,
    undo: (n: number) =>
      `*Approving changes the key pair of ${n === 1 ? 'this instance' : `these ${num(n)} instances`}:*`,
    apply: (n: number) =>
      `*Approving runs the script above on ${n === 1 ? 'this instance' : `these ${num(n)} instances`}:*`,
  },
  consequences: {
    attach: [
      'It replaces any key pair bound to these instances earlier in the console (keys added by hand inside the instance stay).',
      'Password login stops working on these instances.',
      'It takes effect only after each instance is restarted.',
    ],
    restart: [
      'Each instance reboots (ForceStop off: programs are asked to stop) and is unreachable for a minute or two.',
      'The key pair bound earlier takes effect after the reboot.',
    ],
    undo: [
      'Each instance gets back the key pair it had before the attach, or loses the one the attach bound.',
      'It takes effect only after each instance is restarted.',
    ],
    apply: [
      "It adds the key's line to `~/.ssh/authorized_keys` only if that exact key is not there, creating `~/.ssh` (700) and the file (600) when missing; no other line changes, and a second run changes nothing.",
      'The key works at once: nothing reboots, and the binding in the console does not change.',
    ],
  },
  approval: {
    needs: (n: number) => `*Needs ${plural(n, 'approval')}* from different people.`,
    /** `why`: for tags_unknown, which instances' tags are unknown (guard.tagsUnknown). */
    rule: (
      name: string,
      reason: 'tag' | 'size' | 'tags_unknown' | 'restarts' | 'account',
      approvals: number,
      why?: string,
    ) =>
      `rule ${name} (${reason === 'tag' ? 'a tag matched' : reason === 'size' ? 'size' : reason === 'restarts' ? 'it restarts instances' : reason === 'account' ? 'its account' : (why ?? 'tags could not be read: applied to be safe')}, ${plural(approvals, 'approval')})`,
    rules: (list: string) => `Policy: ${list}.`,
    whoMay: (who: string) => `Who may approve: ${who}`,
    everyList: (lists: string) => `Who may approve: someone on each of ${lists}`,
    approvedBy: (who: string, when: string) => `:white_check_mark: ${who} approved ${when}`,
  },
  meta: (
    id: string,
    fingerprint: string,
    asked: string,
    expiresWord: 'expires' | 'expiry',
    expires: string,
  ) => `Request ${id} · fingerprint ${fingerprint} · asked ${asked} · ${expiresWord} ${expires}`,
  status: {
    expiredLapsed: (when: string) =>
      `:hourglass: Expired ${when}: nobody decided in time, so nothing was changed. Ask again with a new request.`,
    rejected: (by: string, when: string) => `:x: Rejected by ${by} ${when}. Nothing was changed.`,
    approved: (by: string, when: string) => `:white_check_mark: Approved by ${by} ${when}.`,
    starting: 'Starting…',
    running: (answered: number, total: number) =>
      `:gear: Running: ${num(answered)} of ${plural(total, 'step')} answered.`,
    wave: (wave: number, waves: number) =>
      `:gear: Rolling restart: wave ${num(wave)} of ${num(waves)}.`,
    halted: (wave: number) =>
      `:octagonal_sign: The roll stopped after wave ${num(wave)}: a wave had a failure.`,
    finished: (icon: string, when: string, totals: string) =>
      `${icon} Finished${when ? ` ${when}` : ''}: ${totals}. Details are in the thread.`,
    someone: 'someone',
  },
  buttons: {
    approve: 'Approve',
    reject: 'Reject',
    confirmTitle: {
      attach: 'Bind the key pair?',
      restart: 'Reboot these instances?',
      undo: 'Undo the binding?',
      apply: 'Run the script now?',
    },
    confirmText: {
      attach: (n: number, region: string) =>
        `This binds the key pair to ${plural(n, 'instance')} in ${region}. It replaces a key pair bound earlier in the console, password login stops working, and it takes effect only after a restart.`,
      restart: (n: number, region: string) =>
        `This reboots ${plural(n, 'instance')} in ${region}, wave by wave. They are unreachable while they restart.`,
      undo: (n: number, region: string) =>
        `This changes the key pair of ${plural(n, 'instance')} in ${region} back to what it was before the attach. It takes effect after a restart.`,
      apply: (n: number, region: string) =>
        `This runs the script shown through Cloud Assistant on ${plural(n, 'instance')} in ${region}: the key is added to authorized_keys and works at once. Nothing restarts.`,
    },
    cancel: 'Cancel',
  },
  fallback: (what: string, id: string, who: string, label: string) =>
    `${what} — request ${id} from ${who} (${label}).`,
  fallbackWhat: {
    attach: (key: string, n: number, region: string) =>
      `Bind ${key} to ${plural(n, 'instance')} in ${region}`,
    restart: (n: number, region: string) => `Restart ${plural(n, 'instance')} in ${region}`,
    undo: (n: number, region: string) =>
      `Undo the key pair binding on ${plural(n, 'instance')} in ${region}`,
    apply: (n: number, region: string) =>
      `Apply the key now on ${plural(n, 'instance')} in ${region}`,
  },
};
