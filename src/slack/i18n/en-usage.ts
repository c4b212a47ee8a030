import { USAGE } from '../../domain/parse.js';
import { num } from './en-words.js';

// English: `/attach-key help`, as mrkdwn. `regions` arrive escaped.

const { history, examples } = USAGE;

export const enUsage = (command: string, regions: readonly string[]) =>
  [
    `How to use ${command}:`,
    `• ${command} i-aaaa1111 i-bbbb2222 key=NAME — bind key pair NAME to these instances`,
    `• ${command} i-aaaa1111,i-bbbb2222 key-id=kp-xxxx1111 region=cn-shanghai — by key pair id, in another region`,
    `• ${command} tag:env=prod tag:role=web key=NAME — every instance carrying both tags (tag:KEY alone: any value)`,
    `• ${command} holding:alice-2024 key=NAME then=restart — the instances holding key pair alice-2024 (or holding:kp-…, holding:none); then=restart adds a rolling restart under the same approval, then=apply-now puts the key in effect without one (the bot must know its public key: import)`,
    `• ${command} — open a form to fill in`,
    `• ${command} status REQUEST-ID — show one request`,
    `• ${command} history [N] — list recent requests (N from 1 to ${num(history.maxLimit)}, default ${num(history.defaultLimit)})`,
    `• ${command} import NAME ssh-ed25519 AAAA… [region=REGION] — keep a public key (the one line of the .pub file; never the private key), importing the key pair when NAME is new, so *Apply now* can use it`,
    `• ${command} help — show this help`,
    `Separate instance ids with spaces, commas or new lines; they look like ${examples.instanceId}. ` +
      'If both key= and key-id= are given, the API uses key-id. ' +
      'Name instances either by ids or by selectors (they must all match), not both; the card lists what they matched when you asked. ' +
      `region= defaults to the bot's region; known regions: ${regions.join(', ')}.`,
  ].join('\n');

/** ACCOUNTS_FILE: the help's line about accounts (`names` escaped). */
export const enUsageAccounts = (command: string, names: readonly string[]) =>
  `• ${command} i-aaaa1111 key=NAME account=ACCOUNT — in one of the Volcengine accounts this bot serves: ${names.join(', ')}. A channel of an account uses it without account=, and no other.`;
