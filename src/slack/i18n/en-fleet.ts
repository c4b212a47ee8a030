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
