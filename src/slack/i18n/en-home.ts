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
};
