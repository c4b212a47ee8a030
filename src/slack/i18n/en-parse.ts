import { type OptionName, USAGE } from '../../domain/parse.js';
import type { PublicKeyProblem } from '../../domain/public-key.js';
import { COMMAND } from '../ids.js';
import { num } from './en-words.js';
import type { NoteTexts, ProblemTexts } from './parse-texts.js';

// English: what the parser refuses (command and modal) and what it notes. `f.q` quotes tokens,
// `f.x` makes other text safe; see parse-texts.ts.

const { instanceId, keyPairId, keyPairName } = USAGE.examples;
const OPTIONS = 'key=NAME, key-id=kp-…, region=REGION and then=restart|apply-now';
/** The options, account= among them where the bot serves several accounts. */
const optionsOf = (p: { account?: true }) =>
  p.account
    ? 'key=NAME, key-id=kp-…, region=REGION, account=NAME and then=restart|apply-now'
    : OPTIONS;
/** What an option takes, shown after its name. */
const placeholder = (name: OptionName): string =>
  name === 'key' || name === 'account'
    ? 'NAME'
    : name === 'key-id'
      ? 'kp-…'
      : name === 'region'
        ? 'REGION'
        : 'restart|apply-now';
const SELECTORS = 'tag:KEY=VALUE, tag:KEY, holding:NAME, holding:kp-… or holding:none';
const NAME_RULE =
  'names are 2–64 characters, start with a letter and use letters, digits, ".", "_" and "-"';

const KEY_TYPES = 'ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more)';
const PUBLIC_KEY: {
  [K in PublicKeyProblem['reason']]: (p: Extract<PublicKeyProblem, { reason: K }>) => string;
} = {
  empty: () => 'no public key was given',
  multiline: () => 'it spans several lines: paste the one line of the .pub file',
  options: () =>
    'authorized_keys options (from=…, command=…) are not part of a public key: paste only "type base64 comment"',
  type: (p) => `"${p.given}" is not a key type the bot takes: use ${KEY_TYPES}`,
  base64: () => 'its second word is not valid base64: paste the key unchanged',
  blob: (p) =>
    `its data does not fit its type (${p.detail === 'type_mismatch' ? 'the data names another type' : p.detail === 'curve' ? 'another curve' : p.detail === 'size' ? 'wrong size' : p.detail === 'trailing' ? 'extra bytes' : 'cut short'}): paste the key unchanged`,
  rsa_too_short: (p) =>
    `this RSA key has ${num(p.bits)} bits; at least ${num(p.min)} are needed (ssh-keygen -t ed25519 makes a better one)`,
  rsa_too_long: (p) => `this RSA key has ${num(p.bits)} bits; at most ${num(p.max)} are taken`,
  comment: () => 'its comment has control characters or is longer than 200 characters',
};

const sayPublicKey = (problem: PublicKeyProblem): string => {
  const say = (PUBLIC_KEY as Record<string, ((x: PublicKeyProblem) => string) | undefined>)[
    problem.reason
  ];
  return say ? say(problem) : PUBLIC_KEY.empty({ reason: 'empty' });
};

const problem = {
  too_long: (p) =>
    `The text is ${num(p.length)} characters long; the limit is ${num(p.limit)}. Split it into several requests.`,
  markup: (p, f) =>
    `Slack mentions and links are not instance ids: ${f.q(p.token)}. Paste the plain ids instead.`,
  wide_characters: (p, f) =>
    `${f.q(p.token)} is in full-width characters: type it as ${f.q(p.ascii)}.`,
  status_needs_id: () =>
    `status needs a request id: type ${COMMAND} status REQUEST-ID (the id is on the approval card).`,
  extra_word: (p, f) =>
    `${f.q(p.token)} is one word too many: ${p.command === 'status' ? 'status takes one request id' : 'history takes one number'}.`,
  bad_request_id: (p, f) =>
    `${f.q(p.token)} is not a request id: copy the id from the approval card.`,
  bad_history_count: (p, f) =>
    `${f.q(p.token)} is not a whole number from 1 to ${num(p.max)}: type ${COMMAND} history 20, or ${COMMAND} history for the last ${num(p.defaultLimit)}.`,
  not_an_option: (p, f) =>
    `${f.q(p.token)} ${p.named ? 'is not an option' : 'has no option name'}: the options are ${optionsOf(p)}, with no spaces around =.`,
  option_twice: (p, f) =>
    `${p.name}= is given twice (${f.q(p.first)} and ${f.q(p.token)}): give it once.`,
  empty_value: (p, f) =>
    `${f.q(p.token)} has no value: type ${p.name}=${placeholder(p.name)} with no space after =.`,
  unknown_region: (p, f) =>
    `${f.q(p.token)} is not a region this bot knows: use one of ${f.x(p.regions.join(', '))}.`,
  bad_key_pair_id: (p, f) =>
    `${f.q(p.token)} is not a key pair id: ${p.fix ? `key pair ids are lower-case: did you mean ${f.x(p.fix)}?` : `key pair ids look like ${keyPairId}; for a name, use key=NAME.`}`,
  bad_key_pair_name: (p, f) =>
    `${f.q(p.token)} is not a key pair name: ${NAME_RULE}.${p.fix ? ` Did you mean ${f.x(p.fix)}?` : ''}`,
  lower_case_id: (p, f) =>
    `${f.q(p.token)}: instance ids are lower-case: did you mean ${f.x(p.fix)}?`,
  option_needs_value: (p, f) =>
    `${f.q(p.token)} needs a value: type ${p.name}=${placeholder(p.name)} with no spaces around =.`,
  key_pair_id_alone: (p, f) => `${f.q(p.token)} looks like a key pair id: type ${f.x(p.fix)}.`,
  region_alone: (p, f) => `${f.q(p.token)} looks like a region: type ${f.x(p.fix)}.`,
  id_with_extras: (p, f) => `${f.q(p.token)} is not an instance id: did you mean ${f.x(p.fix)}?`,
  not_an_id: (p, f) =>
    `${f.q(p.token)} is not an instance id${p.orOption ? ` or an option: the options are ${optionsOf(p)}` : ''}. Instance ids look like ${instanceId}.`,
  missing: (p) => {
    const parts = [
      p.instanceIds ? `instance ids (such as ${instanceId}) or selectors (${SELECTORS})` : '',
      p.keyPair ? 'a key pair (key=NAME or key-id=kp-…)' : '',
    ];
    return `Missing ${parts.filter(Boolean).join(' and ')}.`;
  },
  too_many_ids: (p) =>
    `${num(p.count)} instance ids were given${p.given > p.count ? ` (${num(p.given)} before removing duplicates)` : ''}; the limit is ${num(p.limit)} per request. Split them into several requests.`,
  option_in_instances: (p, f) =>
    `${f.q(p.token)}: only instance ids go here; choose the key pair and region in their own fields.`,
  no_instances: () => `Enter at least one instance id, such as ${instanceId}.`,
  nothing_picked: () =>
    'Pick at least one instance, paste instance ids below, or select them by tag or key pair.',
  key_pair_not_picked: () => 'Choose a key pair from the list.',
  key_pair_empty: () =>
    `Enter a key pair name (such as ${keyPairName}) or id (such as ${keyPairId}).`,
  key_pair_space: (p, f) => `${f.q(p.token)} has a space in it: enter one key pair name or id.`,
  key_pair_prefixed: (p, f) => `${f.q(p.token)}: type only the name or id, without ${p.prefix}.`,
  key_pair_id_case: (p, f) =>
    `${f.q(p.token)}: key pair ids are lower-case: did you mean ${f.x(p.fix)}?`,
  key_pair_id_shape: (p, f) =>
    `${f.q(p.token)} starts with kp- so it is read as a key pair id, but ids look like ${keyPairId}.`,
  selector_empty: (p, f) =>
    p.selector === 'tag'
      ? `${f.q(p.token)} names no tag: type tag:KEY=VALUE (such as tag:env=prod), or tag:KEY for any value.`
      : `${f.q(p.token)} names no key pair: type holding:NAME, holding:kp-… or holding:none.`,
  tag_empty_value: (p, f) =>
    `${f.q(p.token)} has no value after =: give one (tag:KEY=VALUE), or type ${f.x(p.fix)} to select any value of the key.`,
  bad_tag: (p, f) =>
    `${f.q(p.token)}: a tag ${p.part} has at most ${num(p.limit)} characters and no control characters.`,
  bad_holding: (p, f) =>
    `${f.q(p.token)} does not name a key pair: type holding:NAME, holding:kp-… or holding:none (${NAME_RULE}).${p.fix ? ` Did you mean ${f.x(p.fix)}?` : ''}`,
  selector_twice: (p, f) =>
    `${f.q(p.token)} and ${f.q(p.first)} cannot both hold: an instance has one value per tag key and one key pair. Give each tag key, and holding:, once.`,
  too_many_tags: (p) =>
    `${num(p.count)} tag selectors: Volcengine filters on at most ${num(p.limit)} tag keys at once.`,
  ids_and_selectors: (p, f) =>
    `${f.q(p.id)} is an instance id and ${f.q(p.selector)} a selector: name the instances either by ids or by selectors, not both.`,
  picked_and_selector: () =>
    'Instances are picked or pasted above too: choose them either there or by selector, not both.',
  bad_then: (p, f) =>
    `${f.q(p.token)}: then= takes ${f.x(p.accepted.join(', '))} (restart: a rolling restart after the key is bound; apply-now: the key put in effect through Cloud Assistant, no restart).`,
  import_usage: (p) =>
    `import needs ${p.missing === 'name' ? 'a key pair name first' : 'the public key after the name'}: type ${COMMAND} import NAME ssh-ed25519 AAAA… [region=REGION] (the one line of the .pub file, never the private key).`,
  bad_public_key: (p, f) =>
    `That is not a public key the bot can use: ${f.x(sayPublicKey(p.problem))}.`,
  unknown_account: (p, f) =>
    `${f.q(p.token)} names no account this bot serves: use account= with one of ${f.x(p.names.join(', '))}.`,
  account_required: (p, f) =>
    `This bot serves several Volcengine accounts and this channel is mapped to none: add account=NAME, one of ${f.x(p.names.join(', '))}.`,
  account_not_for_channel: (p, f) =>
    `This channel uses account ${f.x(p.mapped)}; account ${f.x(p.asked)} may not be used here: leave account= out, or ask in a channel of account ${f.x(p.asked)}.`,
  region_not_in_account: (p, f) =>
    `${f.q(p.token)} is not a region of account ${f.x(p.account)}: use one of ${f.x(p.regions.join(', '))}.`,
} satisfies ProblemTexts;

const note = {
  duplicates_removed: (n) =>
    n.count === 1 ? '1 duplicate id was removed' : `${num(n.count)} duplicate ids were removed`,
  key_id_wins: (n, f) =>
    `key-id wins over key=: the API binds ${f.x(n.keyPairId)} and ignores key=${f.x(n.keyPairName)}`,
  key_read_as_name: (n, f) =>
    `key=${f.x(n.keyPairName)} is read as a key pair name; for an id, use key-id=`,
} satisfies NoteTexts;

export const enParse = {
  problem,
  note,
  /** After the first problem: how many other words had one. */
  more: (n: number) =>
    n === 1 ? ' (1 more word has problems too.)' : ` (${num(n)} more words have problems too.)`,
};
