import { num, plural } from './en-words.js';

// English: fleets (issue 21). Selectors on the card, status and history, and why a selection was
// refused. Arguments that are mrkdwn already (code spans, dates) arrive formatted.

const NOTHING = 'so nothing was requested';
const NARROW =
  'Narrow it: add a tag: selector (such as `tag:role=web`), or split the fleet by another tag.';

export const enFleet = {
  /** The card's line above the preview. */
  selectedBy: (selectors: string, n: number, readAt: string) =>
    `Selected by ${selectors} · ${plural(n, 'instance')} (read ${readAt}). These are the instances approved: one that matches only later is not part of this request.`,
  /** `status`: how the instances were chosen. */
  statusSelectedBy: (selectors: string, readAt: string) =>
    `Selected by ${selectors} (read ${readAt})`,
  /** `history` and App Home: what a request acts on, chosen by selectors. */
  historyWhat: (key: string, n: number, selectors: string, region: string) =>
    `${key} → ${plural(n, 'instance')} by ${selectors} in ${region}`,
  /** then=restart: one approval for the bind and the rolling restart (issue 21). */
  rotation: {
    title: 'Attach key pair, then restart',
    /** The card's plan line: `running` counts the preview's Running instances that can bind. */
    plan: (key: string, n: number, running: number, waveSize: number) =>
      `Binds ${key} to ${plural(n, 'instance')}, then restarts ${running === 1 ? 'the running one' : `the ${num(running)} running ones`} in waves of ${num(waveSize)}: those bound while Running whose binding is verified. One approval covers both.`,
    /** Once the restart phase is planned, on the card. */
    planned: (n: number, waves: number, waveSize: number) =>
      `Restart phase: ${plural(n, 'instance')} in ${plural(waves, 'wave')} of up to ${num(waveSize)}; a wave with a failure stops the roll.`,
    nothingPlanned:
      'Restart phase: nothing to restart (no instance was bound while Running with its binding verified).',
    consequencesHeading: '*Then, under the same approval:*',
    confirmTitle: 'Bind, then restart?',
    confirmText: (n: number, running: number, waveSize: number, region: string) =>
      `This binds the key pair to ${plural(n, 'instance')} in ${region}, then reboots the ${num(running)} running, verified ones in waves of ${num(waveSize)}. It replaces a key pair bound earlier, password login stops working, and each instance is unreachable while it restarts.`,
    fallback: (what: string) => `${what}, then restart`,
    /** The card's totals once finished: the attach's, then the restart's. */
    totals: (attach: string, restart: string) => `${attach}; restart: ${restart}`,
    /** The attach results' last lines, in place of the restart reminder. */
    restarting: (n: number, waveSize: number) =>
      `:arrows_counterclockwise: Restarting ${plural(n, 'instance')} now, in waves of ${num(waveSize)}, under the same approval: the card shows the wave, the restart results follow here.`,
    nothingToRestart:
      ':information_source: Nothing to restart: no instance was bound while Running with its binding verified.',
    /** The restart results' first line. */
    restartTitle: (id: string, n: number) =>
      `*Restart results for request ${id}* (${plural(n, 'instance')}, after the binding)`,
  },
  /** then=apply-now: one approval for the bind and the key put in effect through Cloud Assistant. */
  applyNext: {
    title: 'Attach key pair, then apply now',
    /** The card's plan line, before the attach ran. */
    plan: (key: string, n: number) =>
      `Binds ${key} to ${plural(n, 'instance')}, then puts it in effect now, without a restart, on those bound and verified whose Cloud Assistant agent is running. One approval covers both.`,
    /** What the card forecasts from the preview, until the apply phase is planned. */
    forecast: 'If every Running instance is bound and verified, the apply-now phase is:',
    nothingPlanned:
      'Apply-now phase: nothing to apply (no instance was bound with its binding verified).',
    confirmTitle: 'Bind, then apply now?',
    confirmText: (n: number, user: string, region: string) =>
      `This binds the key pair to ${plural(n, 'instance')} in ${region}, then writes its public key into ~/.ssh/authorized_keys of ${user} on the bound, verified ones through Cloud Assistant. It replaces a key pair bound earlier, and password login stops working.`,
    fallback: (what: string) => `${what}, then apply now`,
    /** The card's totals once finished: the attach's, then the apply's. */
    totals: (attach: string, apply: string) => `${attach}; apply now: ${apply}`,
    /** The attach results' last lines, in place of the restart reminder. */
    applying: (n: number) =>
      `:zap: Putting the key in effect now on ${plural(n, 'instance')} through Cloud Assistant, under the same approval: the apply-now results follow here.`,
    nothingToApply:
      ':information_source: Nothing to apply now: no instance was bound with its binding verified.',
    /** The apply results' first line. */
    resultsTitle: (id: string, n: number) =>
      `*Apply-now results for request ${id}* (${plural(n, 'instance')}, after the binding)`,
  },
  /** The request form's selector field and its `then` checkbox. */
  form: {
    selector: {
      label: 'Or select instances by tag or key pair',
      placeholder: 'env=prod role=web   or   holding:alice-2024',
      hint: 'Tags as KEY=VALUE (KEY alone: any value), holding:NAME, holding:kp-… or holding:none; all must match. Instead of picking or pasting: the card lists what they match.',
    },
    next: {
      label: 'After the key is bound',
      restart: 'Then restart the instances (rolling, in waves)',
      restartDescription: 'Same approval; bound, verified, Running ones; a failed wave stops it',
      applyNow: 'Then apply the key now (Cloud Assistant, no restart)',
      applyNowDescription: 'Same approval; the bot must know its public key (import)',
      both: 'Choose one: a rolling restart, or apply now (apply now needs no restart).',
    },
  },
  refusal: {
    selection_empty: (selectors: string, region: string) =>
      `:no_entry: No instance in ${region} matches ${selectors}, ${NOTHING}. Tag keys, values and key pair names must match exactly (case too); check them and the region.`,
    selection_too_many: (
      selectors: string,
      region: string,
      count: number,
      complete: boolean,
      total: number | undefined,
      limit: number,
    ) =>
      `:no_entry: ${selectors} selects ${complete ? num(count) : `more than ${num(limit)}`} instances in ${region}${total !== undefined ? ` (the API counts ${num(total)})` : ''}; one request may hold at most ${num(limit)} (MAX_INSTANCES_PER_REQUEST), ${NOTHING}. ${NARROW}`,
    selection_capped: (selectors: string, region: string, total: number | undefined, cap: number) =>
      `:no_entry: ${selectors} matches ${total !== undefined ? num(total) : `at least ${num(cap)}`} instances in ${region}, and Volcengine lists at most ${num(cap)} for a tag query: the bot cannot see them all, ${NOTHING}. ${NARROW}`,
    selection_unbounded: (selectors: string, listed: number, pages: number) =>
      `:no_entry: ${selectors}: Volcengine was still paging after ${plural(listed, 'instance')} (${num(pages)} pages), so the selection could not be read in full and ${NOTHING}. ${NARROW}`,
    selection_failed: (selectors: string, region: string, why: string) =>
      `:warning: ${selectors} could not be resolved in ${region}: ${why}. A selector is resolved by reading the cloud, ${NOTHING}. Try again, or name the instances by id.`,
  },
};
