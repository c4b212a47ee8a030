import type { OptionName, ParseFailure, ParseNote, ParseProblem } from './parse-types.js';
import { KNOWN_REGIONS, knownRegionsWith } from './regions.js';
import type { RequestDraft } from './request.js';

export type { OptionName, ParseFailure, ParseNote, ParseProblem } from './parse-types.js';

// The /attach-key command text and the request modal's values -> a RequestDraft, or a problem:
// its kind and its parameters (the token it quotes, the fix, the limit), never words; the union
// is in parse-types.ts. The catalogues (src/slack/i18n/*-parse.ts) say each kind in the reader's
// language, and the renderer quotes tokens for where they are shown (mrkdwn code spans for the
// command, "…" under a modal input). Tokens in problems are as typed after normalisation, cut to
// ~40 characters, with invisible and control characters replaced (see `shown`); not escaped.
//
// Pure and total: every string gives a value, never an exception. Patterns are anchored with
// bounded repeats and edge trimming is a loop, so long input stays linear.
//
// Normalisation (both paths): zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and backticks
// are removed, and `＝` (U+FF1D) is read as `=`. Every Unicode space (NBSP, U+3000 …), the ASCII
// comma and the separators a Chinese input method types, `，` (U+FF0C), `、` (U+3001) and `；`
// (U+FF1B), separate tokens. (The ASCII `;` does not: it looks like shell, so a token with one is
// refused, with the id inside it as the fix when there is one.)
//
// Full-width characters: any other full-width ASCII form (U+FF01-U+FF5E) inside a token, such as
// `ｉ－ａｂｃ１２３` or `ｋｅｙ=ｐｒｏｄ`, is refused (`wide_characters`) with the ASCII form to type.
// Ids are copied from the console, so a full-width one was typed in an input method's full-width
// mode; showing what to type beats guessing what was meant. No NFKC either, so e.g. superscript
// digits are refused too, not silently turned into other ids. Han characters are not full-width
// forms: key pair names may use them.
//
// Words: `help`/`帮助`, `status`/`状态` and `history`/`历史` (any case) pick the other forms.
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
  | { kind: 'request'; draft: RequestDraft; notes: ParseNote[] }
  | ({ kind: 'error' } & ParseFailure);

/** The modal's input blocks; their block ids are these names, so errors key straight onto them. */
export type ModalField = 'instances' | 'instance_ids' | 'key_pair' | 'region';

/**
 * What a modal submitted. `instances` is typed or pasted text (the parser's rules apply to it).
 * `picked` is there when the form has pickers: the ids chosen in the instances select (values
 * that are not instance ids, such as a hint option, are dropped); the request is the union, the
 * text's problems are keyed `instance_ids`, and an empty key pair means none was chosen.
 */
export interface ModalValues {
  instances?: string | null;
  picked?: readonly unknown[] | null;
  keyPair?: string | null;
  region?: string | null;
}

export type ModalErrors = Partial<Record<ModalField, ParseFailure>>;

export type ModalParse =
  | { ok: true; draft: RequestDraft; notes: ParseNote[] }
  | { ok: false; errors: ModalErrors };

/** Longer text is refused before any other work. */
export const MAX_TEXT_LENGTH = 100_000;
export const DEFAULT_HISTORY_LIMIT = 10;
export const MAX_HISTORY_LIMIT = 50;

/** What the help text is made of; its words are in the catalogues (`usage`). */
export const USAGE = {
  examples: {
    instanceId: 'i-3tiefmkskq3vj0example',
    keyPairId: 'kp-ybqcopwrdwl8j1example',
    keyPairName: 'ssh_key_pair',
  },
  history: { defaultLimit: DEFAULT_HISTORY_LIMIT, maxLimit: MAX_HISTORY_LIMIT },
  regions: KNOWN_REGIONS as readonly string[],
  /** The words that pick a form, each also in Chinese. */
  words: { help: ['help', '帮助'], status: ['status', '状态'], history: ['history', '历史'] },
} as const;

const INSTANCE_ID = /^i-[a-z0-9]{4,40}$/;
const KEY_PAIR_ID = /^kp-[a-z0-9]{4,40}$/;
const KEY_PAIR_NAME = /^[A-Za-z\p{Script=Han}][\w.\-\p{Script=Han}]{1,63}$/u;
// The request id format belongs to the service; accept any plain id and let the lookup decide.
const REQUEST_ID = /^[A-Za-z0-9][\w-]{0,63}$/;
const SLACK_MARKUP = /<[!@#][^<>]*>|<[a-z][a-z0-9+.-]*:[^<>]*>/i;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const WIDE_ASCII = /[\uFF01-\uFF5E]/g;
const HAS_WIDE_ASCII = /[\uFF01-\uFF5E]/;
const SEPARATORS = /[\s,\u3001\uFF0C\uFF1B]+/;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
const MAX_QUOTED = 40;

/** Parses the text after `/attach-key` (as Slack sends it, & < > escaped). */
export function parseCommandText(text: string, options: ParseOptions): CommandParse {
  const raw = typeof text === 'string' ? text : '';
  if (raw.length > MAX_TEXT_LENGTH) return fail(tooLong(raw.length));
  const clean = normalise(raw.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? ''));
  const markup = findMarkup(clean);
  if (markup) return fail(markup);
  const tokens = splitTokens(clean);
  const head = tokens[0];
  if (head === undefined) return { kind: 'open_modal' };
  const word = head.toLowerCase();
  if (isWord(word, 'help')) return { kind: 'help' };
  if (isWord(word, 'status')) return parseStatus(tokens);
  if (isWord(word, 'history')) return parseHistory(tokens);
  return parseRequest(tokens, options);
}

const isWord = (word: string, form: keyof typeof USAGE.words): boolean =>
  (USAGE.words[form] as readonly string[]).includes(word);

/** Parses the inputs of the request modal; errors are keyed by block id. */
export function parseModalValues(values: ModalValues, options: ParseOptions): ModalParse {
  const errors: ModalErrors = {};
  const pickers = values.picked !== undefined;
  const picked = (Array.isArray(values.picked) ? values.picked : []).filter(
    (id): id is string => typeof id === 'string' && INSTANCE_ID.test(id),
  );
  const text = asText(values.instances);
  let ids: string[];
  if (!pickers) ids = readModalInstances(text, options.maxInstances, errors);
  else {
    // Pasted ids are optional beside picked ones: an empty box is only wrong when nothing was picked.
    const pasted: ModalErrors = {};
    const typed = readModalInstances(text, Number.POSITIVE_INFINITY, pasted);
    const problem = pasted.instances;
    if (problem && problem.problem.kind !== 'no_instances') errors.instance_ids = problem;
    ids = [...picked, ...typed];
    if (!errors.instance_ids && ids.length === 0)
      errors.instances = once({ kind: 'nothing_picked' });
  }
  const keyText = asText(values.keyPair);
  const notPicked = pickers && normalise(keyText).trim() === '';
  if (notPicked) errors.key_pair = once({ kind: 'key_pair_not_picked' });
  const keyPair = notPicked ? {} : readModalKeyPair(keyText, errors);
  const region = normalise(asText(values.region)).trim().toLowerCase() || options.defaultRegion;
  const regions = knownRegionsWith(options.defaultRegion, options.knownRegions);
  if (!regions.includes(region)) {
    errors.region = once({ kind: 'unknown_region', token: shown(region), regions });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const built = buildDraft(ids, keyPair, region, options.maxInstances);
  return built.ok ? built : { ok: false, errors: { instances: once(built.problem) } };
}

function parseStatus(tokens: readonly string[]): CommandParse {
  const [, id, extra] = tokens;
  if (id === undefined) return fail({ kind: 'status_needs_id' });
  if (extra !== undefined) {
    return fail({ kind: 'extra_word', token: shown(extra), command: 'status' });
  }
  const wide = wideProblem(id);
  if (wide) return fail(wide);
  if (!REQUEST_ID.test(id)) return fail({ kind: 'bad_request_id', token: shown(id) });
  return { kind: 'status', requestId: id };
}

function parseHistory(tokens: readonly string[]): CommandParse {
  const [, count, extra] = tokens;
  if (count === undefined) return { kind: 'history', limit: DEFAULT_HISTORY_LIMIT };
  if (extra !== undefined) {
    return fail({ kind: 'extra_word', token: shown(extra), command: 'history' });
  }
  const wide = wideProblem(count);
  if (wide) return fail(wide);
  const limit = /^\d{1,3}$/.test(count) ? Number(count) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_HISTORY_LIMIT)) {
    return fail({
      kind: 'bad_history_count',
      token: shown(count),
      max: MAX_HISTORY_LIMIT,
      defaultLimit: DEFAULT_HISTORY_LIMIT,
    });
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
    const wide = wideProblem(token);
    if (wide) problems.add(wide);
    else if (eq === -1) {
      if (INSTANCE_ID.test(token)) ids.push(token);
      else problems.add(describeBadId(token, regions));
    } else {
      problems.add(readOption(token, eq, given, regions));
    }
  }
  const first = problems.summary();
  if (first) return { kind: 'error', ...first };
  const keyPairName = given.get('key')?.value;
  const keyPairId = given.get('key-id')?.value;
  const region = given.get('region')?.value.toLowerCase() ?? options.defaultRegion;
  const hasKey = keyPairName !== undefined || keyPairId !== undefined;
  if (ids.length === 0 || !hasKey) {
    return fail({ kind: 'missing', instanceIds: ids.length === 0, keyPair: !hasKey });
  }
  const built = buildDraft(ids, { keyPairName, keyPairId }, region, options.maxInstances);
  if (!built.ok) return fail(built.problem);
  if (keyPairName?.toLowerCase().startsWith('kp-') && keyPairId === undefined) {
    built.notes.push({ kind: 'key_read_as_name', keyPairName });
  }
  return { kind: 'request', draft: built.draft, notes: built.notes };
}

function readOption(
  token: string,
  eq: number,
  given: Map<OptionName, { token: string; value: string }>,
  regions: readonly string[],
): ParseProblem | undefined {
  const name = token.slice(0, eq).toLowerCase();
  const value = token.slice(eq + 1);
  const quoted = shown(token);
  if (!isOptionName(name)) return { kind: 'not_an_option', token: quoted, named: name !== '' };
  const earlier = given.get(name);
  if (earlier) return { kind: 'option_twice', token: quoted, name, first: shown(earlier.token) };
  given.set(name, { token, value });
  if (value === '') return { kind: 'empty_value', token: quoted, name };
  if (name === 'region') {
    if (regions.includes(value.toLowerCase())) return undefined;
    return { kind: 'unknown_region', token: quoted, regions };
  }
  if (name === 'key-id') {
    if (KEY_PAIR_ID.test(value)) return undefined;
    const lower = value.toLowerCase();
    return KEY_PAIR_ID.test(lower)
      ? { kind: 'bad_key_pair_id', token: quoted, fix: `key-id=${lower}` }
      : { kind: 'bad_key_pair_id', token: quoted };
  }
  if (KEY_PAIR_NAME.test(value)) return undefined;
  const unquoted = trimEdges(value, (c) => !`"'“”‘’()[]{}<>`.includes(c));
  return KEY_PAIR_NAME.test(unquoted)
    ? { kind: 'bad_key_pair_name', token: quoted, fix: `key=${unquoted}` }
    : { kind: 'bad_key_pair_name', token: quoted };
}

/**
 * Why a token without "=" is not an instance id, with the likely fix when there is one. `regions`
 * is null in the modal's instance field, where a word cannot be an option.
 */
function describeBadId(token: string, regions: readonly string[] | null): ParseProblem {
  const quoted = shown(token);
  const lower = token.toLowerCase();
  if (INSTANCE_ID.test(lower)) return { kind: 'lower_case_id', token: quoted, fix: lower };
  if (regions) {
    if (isOptionName(lower)) return { kind: 'option_needs_value', token: quoted, name: lower };
    if (KEY_PAIR_ID.test(lower)) {
      return { kind: 'key_pair_id_alone', token: quoted, fix: `key-id=${lower}` };
    }
    if (regions.includes(lower)) {
      return { kind: 'region_alone', token: quoted, fix: `region=${lower}` };
    }
  }
  const core = trimEdges(lower, (c) => /[a-z0-9]/.test(c));
  if (INSTANCE_ID.test(core)) return { kind: 'id_with_extras', token: quoted, fix: core };
  return { kind: 'not_an_id', token: quoted, orOption: regions !== null };
}

function readModalInstances(text: string, maxInstances: number, errors: ModalErrors): string[] {
  if (text.length > MAX_TEXT_LENGTH) {
    errors.instances = once(tooLong(text.length));
    return [];
  }
  const clean = normalise(text);
  const markup = findMarkup(clean);
  if (markup) {
    errors.instances = once(markup);
    return [];
  }
  const ids: string[] = [];
  const problems = new ProblemList();
  for (const token of splitTokens(clean)) {
    const wide = wideProblem(token);
    if (wide) problems.add(wide);
    else if (INSTANCE_ID.test(token)) ids.push(token);
    else if (token.includes('='))
      problems.add({ kind: 'option_in_instances', token: shown(token) });
    else problems.add(describeBadId(token, null));
  }
  const unique = new Set(ids).size;
  const first = problems.summary();
  if (first) errors.instances = first;
  else if (ids.length === 0) errors.instances = once({ kind: 'no_instances' });
  else if (unique > maxInstances) {
    errors.instances = once(tooMany(ids.length, unique, maxInstances));
  }
  return ids;
}

function readModalKeyPair(
  text: string,
  errors: ModalErrors,
): { keyPairName?: string; keyPairId?: string } {
  const value = normalise(text).trim();
  const lower = value.toLowerCase();
  const token = shown(value);
  const wide = wideProblem(value);
  let problem: ParseProblem;
  if (value === '') {
    problem = { kind: 'key_pair_empty' };
  } else if (/\s/.test(value)) {
    problem = { kind: 'key_pair_space', token };
  } else if (wide) {
    problem = wide;
  } else if (lower.startsWith('key=') || lower.startsWith('key-id=')) {
    problem = {
      kind: 'key_pair_prefixed',
      token,
      prefix: lower.startsWith('key=') ? 'key=' : 'key-id=',
    };
  } else if (lower.startsWith('kp-')) {
    if (KEY_PAIR_ID.test(value)) return { keyPairId: value };
    problem = KEY_PAIR_ID.test(lower)
      ? { kind: 'key_pair_id_case', token, fix: lower }
      : { kind: 'key_pair_id_shape', token };
  } else if (KEY_PAIR_NAME.test(value)) {
    return { keyPairName: value };
  } else {
    problem = { kind: 'bad_key_pair_name', token };
  }
  errors.key_pair = once(problem);
  return {};
}

function buildDraft(
  ids: readonly string[],
  keyPair: { keyPairName?: string | undefined; keyPairId?: string | undefined },
  region: string,
  maxInstances: number,
): { ok: true; draft: RequestDraft; notes: ParseNote[] } | { ok: false; problem: ParseProblem } {
  const unique = [...new Set(ids)];
  if (unique.length > maxInstances) {
    return { ok: false, problem: tooMany(ids.length, unique.length, maxInstances) };
  }
  const notes: ParseNote[] = [];
  const removed = ids.length - unique.length;
  if (removed > 0) notes.push({ kind: 'duplicates_removed', count: removed });
  const { keyPairName, keyPairId } = keyPair;
  if (keyPairName !== undefined && keyPairId !== undefined) {
    notes.push({ kind: 'key_id_wins', keyPairId, keyPairName });
  }
  const draft: RequestDraft = { instanceIds: unique, region };
  if (keyPairName !== undefined) draft.keyPairName = keyPairName;
  if (keyPairId !== undefined) draft.keyPairId = keyPairId;
  return { ok: true, draft, notes };
}

/** Keeps the first problem and counts the rest, so junk input costs no more than its length. */
class ProblemList {
  private first: ParseProblem | undefined;
  private more = 0;
  add(p: ParseProblem | undefined): void {
    if (!p) return;
    if (this.first) this.more += 1;
    else this.first = p;
  }
  summary(): ParseFailure | undefined {
    return this.first && { problem: this.first, more: this.more };
  }
}

function findMarkup(text: string): ParseProblem | undefined {
  const found = SLACK_MARKUP.exec(text)?.[0];
  return found === undefined ? undefined : { kind: 'markup', token: shown(found) };
}

function normalise(text: string): string {
  return text.replace(ZERO_WIDTH, '').replaceAll('\uFF1D', '=').replaceAll('`', '');
}

/** A token with full-width ASCII forms in it, and the same token in ASCII to type instead. */
function wideProblem(token: string): ParseProblem | undefined {
  if (!HAS_WIDE_ASCII.test(token)) return undefined;
  const ascii = token.replace(WIDE_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return { kind: 'wide_characters', token: shown(token), ascii: shown(ascii) };
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

const once = (problem: ParseProblem): ParseFailure => ({ problem, more: 0 });

const fail = (problem: ParseProblem): CommandParse => ({ kind: 'error', problem, more: 0 });

const tooLong = (length: number): ParseProblem => ({
  kind: 'too_long',
  length,
  limit: MAX_TEXT_LENGTH,
});

const tooMany = (given: number, count: number, limit: number): ParseProblem => ({
  kind: 'too_many_ids',
  count,
  given,
  limit,
});

function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
