import { num, plural } from './en-words.js';

// English: the App Home tab.

export const enHome = {
  title: 'attach-key-bot',
  intro: (command: string) =>
    `Requests to bind SSH key pairs to Volcengine ECS instances, and their restarts and undos. Ask with \`${command}\` in a channel.`,
  waitingHeading: (n: number) => `Waiting for you (${num(n)})`,
  waitingNone: 'Nothing is waiting for your approval.',
  mineHeading: 'Your requests',
  mineNone: 'You have not asked for anything yet.',
  waitingLine: (
    id: string,
    kind: string,
    who: string,
    what: string,
    have: number,
    need: number,
    expires: string,
  ) =>
    `*${id}* ${kind}${who}: ${what}\n${num(have)} of ${plural(need, 'approval')} · expires ${expires}`,
  mineLine: (id: string, kind: string, what: string, label: string, when: string) =>
    `• ${id} ${kind}${what} — *${label}* · ${when}`,
  from: (who: string) => ` from ${who}`,
  moreWaiting: (n: number) => `… and ${num(n)} more waiting: they are in their channels.`,
  updated: (when: string) => `Updated ${when}`,
  /** A waiting request: what its card shows an approver (issue 18). */
  item: {
    where: (channel: string) => `Posted in ${channel}`,
    keyPair: (described: string) => `Key pair ${described}`,
    fingerprint: (fp: string) => `Request fingerprint ${fp}`,
    rules: (list: string) => `Rules: ${list}`,
    instancesHeading: (shown: number, all: number) =>
      shown < all
        ? `First ${num(shown)} of ${plural(all, 'instance')}:`
        : `${plural(all, 'instance')}:`,
    openCard: (url: string) => `<${url}|Open the card>`,
    /** What approving changes on one instance. */
    change: {
      replaces: (key: string) => `replaces ${key}`,
      firstKey: 'no key pair yet: password login stops',
      alreadyBound: 'already carries it: no change',
      windows: 'will fail: Windows',
      notFound: 'will fail: not found',
      wrongStatus: (status: string) => `will fail: ${status}`,
      unread: 'could not be read',
      restarts: 'reboots',
      restores: (key: string) => `gets ${key} back`,
      detaches: (key: string) => `${key} removed`,
      changedSince: 'shows another key pair now',
    },
  },
};
