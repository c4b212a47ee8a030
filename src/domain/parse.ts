import { KNOWN_REGIONS, knownRegionsWith } from './regions.js';
import type { RequestDraft } from './request.js';

// The /attach-key command text and the request modal's values -> a RequestDraft or an error that
// quotes the bad token. Pure and total: every string gives a value, never an exception. Patterns
// are anchored with bounded repeats and edge trimming is a loop, so long input stays linear.
//
// Error messages from parseCommandText are mrkdwn-ready: quoted user text is wrapped in backticks
// with & < > escaped, so post them as mrkdwn and do not escape again. Modal errors are shown by
// Slack under the input as plain text: tokens are quoted with "…" and nothing is escaped.
//
// Normalisation (both paths): zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and backticks
// are removed; full-width ASCII (U+FF01-U+FF5E) becomes ASCII. That targeted map is used instead of
// NFKC so that e.g. superscript digits are refused, not silently turned into other ids. Every
// Unicode space (NBSP, U+3000 …), commas and the ideographic comma U+3001 separate tokens.
//
// Regions: the configured default region is always accepted, with `knownRegions` (KNOWN_REGIONS
// when absent) besides it (see knownRegionsWith).

export interface ParseOptions {
  defaultRegion: string;
  maxInstances: number;
  knownRegions?: readonly string[];
}

export type CommandParse =
  | { kind: 'help' }
  | { kind: 'open_modal' }
  | { kind: 'status'; requestId: string }
  | { kind: 'history'; limit: number }
  | { kind: 'request'; draft: RequestDraft; notes: string[] }
  | { kind: 'error'; message: string; token?: string };

/** The modal's input blocks; their block ids are these names, so errors key straight onto them. */
export type ModalField = 'instances' | 'key_pair' | 'region';

export type ModalParse =
  | { ok: true; draft: RequestDraft; notes: string[] }
  | { ok: false; errors: Partial<Record<ModalField, string>> };

/** Longer text is refused before any other work. */
export const MAX_TEXT_LENGTH = 100_000;
export const DEFAULT_HISTORY_LIMIT = 10;
export const MAX_HISTORY_LIMIT = 50;

const INSTANCE_ID = /^i-[a-z0-9]{4,40}$/;
const KEY_PAIR_ID = /^kp-[a-z0-9]{4,40}$/;
const KEY_PAIR_NAME = /^[A-Za-z\p{Script=Han}][\w.\-\p{Script=Han}]{1,63}$/u;
// The request id format belongs to the service; accept any plain id and let the lookup decide.
const REQUEST_ID = /^[A-Za-z0-9][\w-]{0,63}$/;
const SLACK_MARKUP = /<[!@#][^<>]*>|<[a-z][a-z0-9+.-]*:[^<>]*>/i;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const WIDE_ASCII = /[\uFF01-\uFF5E]/g;
const SEPARATORS = /[\s,\u3001]+/;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
const MAX_QUOTED = 40;
const EXAMPLE_ID = 'i-3tiefmkskq3vj0example';

type OptionName = 'key' | 'key-id' | 'region';
const PLACEHOLDER: Record<OptionName, string> = {
  key: 'NAME',
  'key-id': 'kp-…',
  region: 'REGION',
};
const OPTIONS_TEXT = 'key=NAME, key-id=kp-… and region=REGION';
const NAME_RULE =
  'names are 2–64 characters, start with a letter and use letters, digits, ".", "_" and "-"';

export const USAGE = [
  'How to use /attach-key:',
  '• /attach-key i-aaaa1111 i-bbbb2222 key=NAME — bind key pair NAME to these instances',
  '• /attach-key i-aaaa1111,i-bbbb2222 key-id=kp-xxxx1111 region=cn-shanghai — by key pair id, in another region',
  '• /attach-key — open a form to fill in',
  '• /attach-key status REQUEST-ID — show one request',
  `• /attach-key history [N] — list recent requests (N from 1 to ${MAX_HISTORY_LIMIT}, default ${DEFAULT_HISTORY_LIMIT})`,
  '• /attach-key help — show this help',
  `Separate instance ids with spaces, commas or new lines; they look like ${EXAMPLE_ID}. ` +
    'If both key= and key-id= are given, the API uses key-id. ' +
    `region= defaults to the bot's region; known regions: ${KNOWN_REGIONS.join(', ')}.`,
].join('\n');

type Problem = { message: string; token?: string };
type Quote = (token: string) => string;

/** Parses the text after `/attach-key` (as Slack sends it, & < > escaped). */
export function parseCommandText(text: string, options: ParseOptions): CommandParse {
  const raw = typeof text === 'string' ? text : '';
  if (raw.length > MAX_TEXT_LENGTH) return fail({ message: tooLongMessage(raw.length) });
  const clean = normalise(raw.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? ''));
  const markup = findMarkup(clean, quoteForMrkdwn);
  if (markup) return fail(markup);
  const tokens = splitTokens(clean);
  const head = tokens[0];
  if (head === undefined) return { kind: 'open_modal' };
  switch (head.toLowerCase()) {
    case 'help':
      return { kind: 'help' };
    case 'status':
      return parseStatus(tokens);
    case 'history':
      return parseHistory(tokens);
    default:
      return parseRequest(tokens, options);
  }
}

/** Parses the three inputs of the request modal; errors are keyed by block id. */
export function parseModalValues(
  values: { instances?: string | null; keyPair?: string | null; region?: string | null },
  options: ParseOptions,
): ModalParse {
  const errors: Partial<Record<ModalField, string>> = {};
  const ids = readModalInstances(asText(values.instances), options.maxInstances, errors);
  const keyPair = readModalKeyPair(asText(values.keyPair), errors);
  const region = normalise(asText(values.region)).trim().toLowerCase() || options.defaultRegion;
  const regions = knownRegionsWith(options.defaultRegion, options.knownRegions);
  if (!regions.includes(region)) {
    errors.region = `"${shown(region)}" is not a region this bot knows: choose one of ${regions.join(', ')}.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const built = buildDraft(ids, keyPair, region, options.maxInstances);
  return built.ok ? built : { ok: false, errors: { instances: built.message } };
}

function parseStatus(tokens: readonly string[]): CommandParse {
  const [, id, extra] = tokens;
  if (id === undefined) {
    return fail({
      message:
        'status needs a request id: type /attach-key status REQUEST-ID (the id is on the approval card).',
    });
  }
  if (extra !== undefined) {
    return fail(
      problem(`${quoteForMrkdwn(extra)} is one word too many: status takes one request id.`, extra),
    );
  }
  if (!REQUEST_ID.test(id)) {
    return fail(
      problem(`${quoteForMrkdwn(id)} is not a request id: copy the id from the approval card.`, id),
    );
  }
  return { kind: 'status', requestId: id };
}

function parseHistory(tokens: readonly string[]): CommandParse {
  const [, count, extra] = tokens;
  if (count === undefined) return { kind: 'history', limit: DEFAULT_HISTORY_LIMIT };
  if (extra !== undefined) {
    return fail(
      problem(`${quoteForMrkdwn(extra)} is one word too many: history takes one number.`, extra),
    );
  }
  const limit = /^\d{1,3}$/.test(count) ? Number(count) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_HISTORY_LIMIT)) {
    return fail(
      problem(
        `${quoteForMrkdwn(count)} is not a whole number from 1 to ${MAX_HISTORY_LIMIT}: type /attach-key history 20, or /attach-key history for the last ${DEFAULT_HISTORY_LIMIT}.`,
        count,
      ),
    );
  }
  return { kind: 'history', limit };
}

function parseRequest(tokens: readonly string[], options: ParseOptions): CommandParse {
  const regions = knownRegionsWith(options.defaultRegion, options.knownRegions);
  const given = new Map<OptionName, { token: string; value: string }>();
  const ids: string[] = [];
  const problems = new ProblemList();
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq === -1) {
      if (INSTANCE_ID.test(token)) ids.push(token);
      else problems.add(problem(describeBadId(token, quoteForMrkdwn, regions), token));
    } else {
      problems.add(readOption(token, eq, given, regions));
    }
  }
  const first = problems.summary();
  if (first) return fail(first);
  const keyPairName = given.get('key')?.value;
  const keyPairId = given.get('key-id')?.value;
  const region = given.get('region')?.value.toLowerCase() ?? options.defaultRegion;
  const hasKey = keyPairName !== undefined || keyPairId !== undefined;
  if (ids.length === 0 || !hasKey) {
    const missing = [
      ids.length === 0 ? `instance ids (such as ${EXAMPLE_ID})` : '',
      hasKey ? '' : 'a key pair (key=NAME or key-id=kp-…)',
    ].filter(Boolean);
    return fail({ message: `Missing ${missing.join(' and ')}.` });
  }
  const built = buildDraft(ids, { keyPairName, keyPairId }, region, options.maxInstances);
  if (!built.ok) return fail({ message: built.message });
  if (keyPairName?.toLowerCase().startsWith('kp-') && keyPairId === undefined) {
    built.notes.push(`key=${keyPairName} is read as a key pair name; for an id, use key-id=`);
  }
  return { kind: 'request', draft: built.draft, notes: built.notes };
}

function readOption(
  token: string,
  eq: number,
  given: Map<OptionName, { token: string; value: string }>,
  regions: readonly string[],
): Problem | undefined {
  const name = token.slice(0, eq).toLowerCase();
  const value = token.slice(eq + 1);
  const q = quoteForMrkdwn(token);
  if (!isOptionName(name)) {
    const what = name === '' ? 'has no option name' : 'is not an option';
    return problem(
      `${q} ${what}: the options are ${OPTIONS_TEXT}, with no spaces around =.`,
      token,
    );
  }
  const earlier = given.get(name);
  if (earlier) {
    return problem(
      `${name}= is given twice (${quoteForMrkdwn(earlier.token)} and ${q}): give it once.`,
      token,
    );
  }
  given.set(name, { token, value });
  if (value === '') {
    return problem(
      `${q} has no value: type ${name}=${PLACEHOLDER[name]} with no space after =.`,
      token,
    );
  }
  if (name === 'region') {
    if (regions.includes(value.toLowerCase())) return undefined;
    return problem(`${q} is not a region this bot knows: use one of ${regions.join(', ')}.`, token);
  }
  if (name === 'key-id') {
    if (KEY_PAIR_ID.test(value)) return undefined;
    const hint = KEY_PAIR_ID.test(value.toLowerCase())
      ? `key pair ids are lower-case: did you mean key-id=${value.toLowerCase()}?`
      : 'key pair ids look like kp-ybqcopwrdwl8j1example; for a name, use key=NAME.';
    return problem(`${q} is not a key pair id: ${hint}`, token);
  }
  if (KEY_PAIR_NAME.test(value)) return undefined;
  const unquoted = trimEdges(value, (c) => !`"'“”‘’()[]{}<>`.includes(c));
  const hint = KEY_PAIR_NAME.test(unquoted) ? ` Did you mean key=${unquoted}?` : '';
  return problem(`${q} is not a key pair name: ${NAME_RULE}.${hint}`, token);
}

/** Why a token without "=" is not an instance id, with the likely fix when there is one. */
function describeBadId(token: string, quote: Quote, regions: readonly string[] | null): string {
  const q = quote(token);
  const lower = token.toLowerCase();
  if (INSTANCE_ID.test(lower)) return `${q}: instance ids are lower-case: did you mean ${lower}?`;
  if (regions) {
    if (isOptionName(lower)) {
      return `${q} needs a value: type ${lower}=${PLACEHOLDER[lower]} with no spaces around =.`;
    }
    if (KEY_PAIR_ID.test(lower)) return `${q} looks like a key pair id: type key-id=${lower}.`;
    if (regions.includes(lower)) return `${q} looks like a region: type region=${lower}.`;
  }
  const core = trimEdges(lower, (c) => /[a-z0-9]/.test(c));
  if (INSTANCE_ID.test(core)) return `${q} is not an instance id: did you mean ${core}?`;
  const rest = regions ? ` or an option: the options are ${OPTIONS_TEXT}` : '';
  return `${q} is not an instance id${rest}. Instance ids look like ${EXAMPLE_ID}.`;
}

function readModalInstances(
  text: string,
  maxInstances: number,
  errors: Partial<Record<ModalField, string>>,
): string[] {
  if (text.length > MAX_TEXT_LENGTH) {
    errors.instances = tooLongMessage(text.length);
    return [];
  }
  const clean = normalise(text);
  const markup = findMarkup(clean, quotePlain);
  if (markup) {
    errors.instances = markup.message;
    return [];
  }
  const ids: string[] = [];
  const problems = new ProblemList();
  for (const token of splitTokens(clean)) {
    if (INSTANCE_ID.test(token)) ids.push(token);
    else if (token.includes('=')) {
      problems.add({
        message: `${quotePlain(token)}: only instance ids go here; choose the key pair and region below.`,
      });
    } else problems.add({ message: describeBadId(token, quotePlain, null) });
  }
  const unique = new Set(ids).size;
  const first = problems.summary();
  if (first) errors.instances = first.message;
  else if (ids.length === 0)
    errors.instances = `Enter at least one instance id, such as ${EXAMPLE_ID}.`;
  else if (unique > maxInstances)
    errors.instances = tooManyMessage(ids.length, unique, maxInstances);
  return ids;
}

function readModalKeyPair(
  text: string,
  errors: Partial<Record<ModalField, string>>,
): { keyPairName?: string; keyPairId?: string } {
  const value = normalise(text).trim();
  const lower = value.toLowerCase();
  const q = quotePlain(value);
  if (value === '') {
    errors.key_pair =
      'Enter a key pair name (such as ssh_key_pair) or id (such as kp-ybqcopwrdwl8j1example).';
  } else if (/\s/.test(value)) {
    errors.key_pair = `${q} has a space in it: enter one key pair name or id.`;
  } else if (lower.startsWith('key=') || lower.startsWith('key-id=')) {
    errors.key_pair = `${q}: type only the name or id, without ${lower.startsWith('key=') ? 'key=' : 'key-id='}.`;
  } else if (lower.startsWith('kp-')) {
    if (KEY_PAIR_ID.test(value)) return { keyPairId: value };
    errors.key_pair = KEY_PAIR_ID.test(lower)
      ? `${q}: key pair ids are lower-case: did you mean ${lower}?`
      : `${q} starts with kp- so it is read as a key pair id, but ids look like kp-ybqcopwrdwl8j1example.`;
  } else if (KEY_PAIR_NAME.test(value)) {
    return { keyPairName: value };
  } else {
    errors.key_pair = `${q} is not a key pair name: ${NAME_RULE}.`;
  }
  return {};
}

function buildDraft(
  ids: readonly string[],
  keyPair: { keyPairName?: string | undefined; keyPairId?: string | undefined },
  region: string,
  maxInstances: number,
): { ok: true; draft: RequestDraft; notes: string[] } | { ok: false; message: string } {
  const unique = [...new Set(ids)];
  if (unique.length > maxInstances) {
    return { ok: false, message: tooManyMessage(ids.length, unique.length, maxInstances) };
  }
  const notes: string[] = [];
  const removed = ids.length - unique.length;
  if (removed > 0) {
    notes.push(
      removed === 1 ? '1 duplicate id was removed' : `${removed} duplicate ids were removed`,
    );
  }
  const { keyPairName, keyPairId } = keyPair;
  if (keyPairName !== undefined && keyPairId !== undefined) {
    notes.push(`key-id wins over key=: the API binds ${keyPairId} and ignores key=${keyPairName}`);
  }
  const draft: RequestDraft = { instanceIds: unique, region };
  if (keyPairName !== undefined) draft.keyPairName = keyPairName;
  if (keyPairId !== undefined) draft.keyPairId = keyPairId;
  return { ok: true, draft, notes };
}

/** Keeps the first problem and counts the rest, so junk input costs no more than its length. */
class ProblemList {
  private first: Problem | undefined;
  private more = 0;
  add(p: Problem | undefined): void {
    if (!p) return;
    if (this.first) this.more += 1;
    else this.first = p;
  }
  summary(): Problem | undefined {
    if (!this.first || this.more === 0) return this.first;
    const also = this.more === 1 ? '1 more word has' : `${this.more} more words have`;
    return { ...this.first, message: `${this.first.message} (${also} problems too.)` };
  }
}

function findMarkup(text: string, quote: Quote): Problem | undefined {
  const found = SLACK_MARKUP.exec(text)?.[0];
  if (found === undefined) return undefined;
  return problem(
    `Slack mentions and links are not instance ids: ${quote(found)}. Paste the plain ids instead.`,
    found,
  );
}

function normalise(text: string): string {
  return text
    .replace(ZERO_WIDTH, '')
    .replace(WIDE_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replaceAll('`', '');
}

function splitTokens(text: string): string[] {
  return text.split(SEPARATORS).filter((t) => t !== '');
}

function trimEdges(text: string, keep: (c: string) => boolean): string {
  let start = 0;
  let end = text.length;
  while (start < end && !keep(text.charAt(start))) start += 1;
  while (end > start && !keep(text.charAt(end - 1))) end -= 1;
  return text.slice(start, end);
}

function isOptionName(name: string): name is OptionName {
  return name === 'key' || name === 'key-id' || name === 'region';
}

/** The token as shown to people: at most ~40 characters, no invisible or control characters. */
function shown(token: string): string {
  const chars = Array.from(token.slice(0, 4 * MAX_QUOTED));
  const clipped =
    chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED - 1).join('')}…` : chars.join('');
  return clipped.replace(UNPRINTABLE, '\uFFFD');
}

function quoteForMrkdwn(token: string): string {
  const escaped = shown(token).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `\`${escaped}\``;
}

function quotePlain(token: string): string {
  return `"${shown(token)}"`;
}

function problem(message: string, token: string): Problem {
  return { message, token: shown(token) };
}

function fail(p: Problem): CommandParse {
  return p.token === undefined
    ? { kind: 'error', message: p.message }
    : { kind: 'error', message: p.message, token: p.token };
}

function tooLongMessage(length: number): string {
  return `The text is ${length} characters long; the limit is ${MAX_TEXT_LENGTH}. Split it into several requests.`;
}

function tooManyMessage(given: number, unique: number, max: number): string {
  const dupes = given > unique ? ` (${given} before removing duplicates)` : '';
  return `${unique} instance ids were given${dupes}; the limit is ${max} per request. Split them into several requests.`;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
