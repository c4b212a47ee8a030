import type { RequestSummary } from '../../domain/operations/summary.js';
import type { OperationKind } from '../../domain/request.js';
import { num, plural } from './en-words.js';

// English: the results thread of every kind, and the totals line the card repeats.

export const enResults = {
  title: (kind: OperationKind, id: string, n: number) =>
    `*${kind === 'attach' ? 'Results' : kind === 'restart' ? 'Restart results' : 'Undo results'} for request ${id}* (${plural(n, 'instance')})`,
  totalsLine: (kind: OperationKind, s: RequestSummary) => {
    const c = s.counts;
    const parts = [
      `${num(c.ok)} ${kind === 'restart' ? 'restarted' : kind === 'undo' ? 'undone' : 'succeeded'}`,
      `${num(c.failed)} failed`,
      `${num(c.unconfirmed)} unconfirmed`,
    ];
    if (c.not_started) parts.push(`${num(c.not_started)} not started`);
    if (c.pending) parts.push(`${num(c.pending)} without an answer yet`);
    if (s.mismatched) parts.push(`${num(s.mismatched)} showing another key pair`);
    return parts.join(' · ');
  },
  counts: (kind: OperationKind, s: RequestSummary) => {
    const c = s.counts;
    const ok = kind === 'restart' ? 'restarted' : kind === 'undo' ? 'undone' : 'succeeded';
    const parts = [
      `✅ ${num(c.ok)} ${ok}`,
      `❌ ${num(c.failed)} failed`,
      `⚠️ ${num(c.unconfirmed)} unconfirmed`,
    ];
    if (c.not_started) parts.push(`⏸ ${num(c.not_started)} not started`);
    if (c.pending) parts.push(`⏳ ${num(c.pending)} without an answer yet`);
    return parts.join(' · ');
  },
  verifiedCounts: (verified: number, mismatched: number, unverified: number) => {
    const parts = [`🔎 ${num(verified)} verified`];
    if (mismatched) parts.push(`🚩 ${num(mismatched)} show another key pair`);
    if (unverified) parts.push(`${num(unverified)} not verified`);
    return parts.join(' · ');
  },
  unconfirmedNote:
    '_Unconfirmed: the call for these instances failed as a whole, so there is no per-instance answer; the reason on each line says whether anything can have changed._',
  line: {
    failed: (id: string, code: string, explanation: string) =>
      `❌ ${id} *${code}* — ${explanation}`,
    unconfirmed: (id: string, code: string, reason: string) =>
      `⚠️ ${id} unconfirmed: *${code}* — ${reason}`,
    notStarted: (id: string) => `⏸ ${id} not started: the roll stopped at an earlier wave`,
    pending: (id: string) => `⏳ ${id} no answer yet`,
    ok: (id: string) => `✅ ${id} ok`,
    verified: (id: string) => `✅ ${id} ok · verified`,
    mismatch: (id: string, seen: string) => `🚩 ${id} ok, but the instance shows ${seen} instead`,
    mismatchNone: (id: string) => `🚩 ${id} ok, but the instance shows no key pair`,
    unverified: (id: string, why: string) => `✅ ${id} ok · not verified (${why})`,
    restarted: (id: string, key: string) => `✅ ${id} restarted · key pair ${key} in effect`,
    restartedNoKey: (id: string) => `✅ ${id} restarted · no key pair bound`,
    restored: (id: string, key: string) => `✅ ${id} ${key} given back`,
    detached: (id: string, key: string) => `✅ ${id} ${key} removed`,
  },
  /** Why an instance is not verified when the read-back left it out. */
  notListed: 'the read-back did not list the instance',
  requestIds: (n: number) => `*Volcengine RequestId${n === 1 ? '' : 's'}* (for support tickets)`,
  requestIdsContinued: '*Volcengine RequestIds (continued)*',
  restartReminder: (n: number, sandbox: boolean) =>
    `🔁 *Restart ${n === 1 ? 'this instance' : `these ${num(n)} instances`} for the key pair to take effect*${sandbox ? ' (SANDBOX: simulated, nothing was really bound)' : ''}:`,
  restartContinued: '🔁 *Restart (continued):*',
  nextStart: (n: number) =>
    `⏯ *Takes effect at ${n === 1 ? 'its' : 'their'} next start* (bound while stopped; never restarted by the bot):`,
  nothingToRestart: ':information_source: Nothing needs restarting: no instance got the key pair.',
  part: (id: string, k: number, n: number) =>
    `Results for request ${id} (part ${num(k)} of ${num(n)})`,
  buttons: {
    restart: (n: number) => `Restart ${plural(n, 'instance')}…`,
    undo: 'Undo…',
    retryFailed: (n: number) => `Ask again for the ${num(n)} failed…`,
    applyNow: (n: number) => `Apply now on ${plural(n, 'instance')} (no restart)…`,
  },
  fallback: (id: string, part: string, totals: string, restart: number) =>
    `Results for request ${id}${part}: ${totals}.${restart ? ` Restart the ${plural(restart, 'instance')} that got the key pair for it to take effect.` : ''}`,
  partSuffix: (k: number, n: number) => ` (part ${num(k)} of ${num(n)})`,
};
