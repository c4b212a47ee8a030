import type { ApplySummary, LeftOutReason } from '../../domain/operations/apply-summary.js';
import { num, plural } from './en-words.js';

// English: "apply now" — its card (what runs, as whom, on which instances, and who is left out)
// and its results thread. Arguments that are mrkdwn (code spans) arrive formatted.

type Counts = ApplySummary['counts'];

const leftOut: Record<LeftOutReason, (id: string, detail: string) => string> = {
  no_assistant: (id, status) =>
    `⏭ ${id} left out: Cloud Assistant is not running there (${status}); restart instead`,
  not_running: (id, status) => `⏭ ${id} left out: it is ${status}, not RUNNING`,
  not_bound: (id) => `⏭ ${id} left out: the key pair was not bound to it`,
  not_verified: (id) =>
    `⏭ ${id} left out: the binding could not be verified there; check it, then restart by hand`,
  stopped: (id) => `⏭ ${id} left out: bound while stopped, the key takes effect at its next start`,
  status_unknown: (id) => `⏭ ${id} left out: its status is unknown`,
  check_failed: (id, why) => `⏭ ${id} left out: it could not be checked (${why})`,
};

export const enApply = {
  runsAs: 'Runs as',
  plan: {
    writes: (key: string, fingerprint: string, user: string, n: number, calls: number) =>
      `Writes the public key of ${key} (fingerprint ${fingerprint}) into \`~/.ssh/authorized_keys\` of ${user} on ${plural(n, 'instance')}, through Cloud Assistant (${plural(calls, 'RunCommand call')}). The key works for SSH at once: nothing restarts.`,
    removes: (key: string, fingerprint: string, n: number) =>
      `On ${plural(n, 'instance')} it also removes the line of ${key} (fingerprint ${fingerprint}), the key pair the attach replaced: the rotation leaves one key.`,
    keeps: (key: string, n: number) =>
      `On ${plural(n, 'instance')} the line of ${key}, which the attach replaced, stays: the bot does not know its public key (import it first to have it removed).`,
  },
  excluded: {
    not_running: (ids: string, status: string) =>
      `Left out: ${ids} (${status}: the instance must be RUNNING).`,
    no_assistant: (ids: string, status: string) =>
      `Left out: ${ids} (Cloud Assistant not running: ${status}). Restart instead.`,
    stopped: (ids: string, n: number) =>
      `Left out: ${ids} (bound while stopped: the key takes effect at ${n === 1 ? 'its' : 'their'} next start).`,
    status_unknown: (ids: string, _n: number) =>
      `Left out: ${ids} (status unknown: restart by hand if needed).`,
    not_bound: (ids: string, _n: number) =>
      `Left out: ${ids} (the key pair was not bound: see the attach results).`,
    not_verified: (ids: string, _n: number) =>
      `Left out: ${ids} (the binding could not be verified: check, then restart by hand).`,
  },
  /** An agent the API did not list. */
  agentAbsent: 'not installed',
  script: {
    heading: (user: string, seconds: number) =>
      `*The script*, run as ${user} by Cloud Assistant (bash, timeout ${num(seconds)} s). The key lines are its only inserted values:`,
    variants: (n: number) =>
      `The ${num(n)} groups of instances differ only in OLD_TYPE and OLD_BLOB (the replaced key to remove); this is the first.`,
    continued: '*The script (continued):*',
  },
  results: {
    title: (id: string, n: number) =>
      `*Apply-now results for request ${id}* (${plural(n, 'instance')})`,
    counts: (c: Counts) => {
      const parts = [
        `⚡ ${num(c.in_effect)} in effect now`,
        `❌ ${num(c.failed)} failed`,
        `⏱ ${num(c.timed_out)} timed out`,
        `⏭ ${num(c.left_out)} left out`,
      ];
      if (c.unconfirmed) parts.push(`⚠️ ${num(c.unconfirmed)} unconfirmed`);
      if (c.pending) parts.push(`⏳ ${num(c.pending)} without an answer yet`);
      return parts.join(' · ');
    },
    totalsLine: (c: Counts) => {
      const parts = [
        `${num(c.in_effect)} in effect now`,
        `${num(c.failed)} failed`,
        `${num(c.timed_out)} timed out`,
        `${num(c.left_out)} left out`,
      ];
      if (c.unconfirmed) parts.push(`${num(c.unconfirmed)} unconfirmed`);
      if (c.pending) parts.push(`${num(c.pending)} without an answer yet`);
      return parts.join(' · ');
    },
    line: {
      added: (id: string, removed: number) =>
        `⚡ ${id} in effect now: key added${removed ? `, the replaced key's line removed` : ''}`,
      present: (id: string, removed: number) =>
        `⚡ ${id} in effect now: the key was already there${removed ? `, the replaced key's line removed` : ''}`,
      inEffect: (id: string) => `⚡ ${id} in effect now`,
      exited: (id: string, exitCode: string, output: string) =>
        `❌ ${id} failed: the script exited with code ${exitCode}${output ? `: ${output}` : ''}`,
      failed: (id: string, code: string, why: string) => `❌ ${id} failed: *${code}* — ${why}`,
      timedOut: (id: string, seconds: number) =>
        `⏱ ${id} timed out: the script did not finish within ${num(seconds)} s`,
      noResult: (id: string, status: string) =>
        `⏱ ${id} no result in time (last seen ${status}): check the instance; the command may still run`,
      leftOut,
      unconfirmed: (id: string, code: string, why: string) =>
        `⚠️ ${id} unconfirmed: *${code}* — ${why}`,
      pending: (id: string) => `⏳ ${id} no answer yet`,
    },
    restartReminder: (n: number) =>
      `🔁 *Restart ${n === 1 ? 'this instance' : `these ${num(n)} instances`} to put the key in effect there*:`,
    restartContinued: '🔁 *Restart (continued):*',
    fallback: (id: string, part: string, totals: string) =>
      `Apply-now results for request ${id}${part}: ${totals}.`,
  },
};
