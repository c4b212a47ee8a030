import { USAGE } from '../../domain/parse.js';
import { num } from './en-words.js';

// English: `/attach-key help`, as mrkdwn. `regions` arrive escaped.

const { history, examples } = USAGE;

export const enUsage = (command: string, regions: readonly string[]) =>
  [
    `How to use ${command}:`,
    `• ${command} i-aaaa1111 i-bbbb2222 key=NAME — bind key pair NAME to these instances`,
    `• ${command} i-aaaa1111,i-bbbb2222 key-id=kp-xxxx1111 region=cn-shanghai — by key pair id, in another region`,
    `• ${command} — open a form to fill in`,
    `• ${command} status REQUEST-ID — show one request`,
    `• ${command} history [N] — list recent requests (N from 1 to ${num(history.maxLimit)}, default ${num(history.defaultLimit)})`,
    `• ${command} import NAME ssh-ed25519 AAAA… [region=REGION] — keep a public key (the one line of the .pub file; never the private key), importing the key pair when NAME is new, so *Apply now* can use it`,
    `• ${command} help — show this help`,
    `Separate instance ids with spaces, commas or new lines; they look like ${examples.instanceId}. ` +
      'If both key= and key-id= are given, the API uses key-id. ' +
      `region= defaults to the bot's region; known regions: ${regions.join(', ')}.`,
  ].join('\n');
