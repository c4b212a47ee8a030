import { readAccount, regionOutsideAccount } from './parse-account.js';
import { importArguments, parseImport } from './parse-import.js';
import {
  buildDraft,
  describeBadId,
  findMarkup,
  INSTANCE_ID,
  isOptionName,
  KEY_PAIR_ID,
  KEY_PAIR_NAME,
  MAX_TEXT_LENGTH,
  normalise,
  ProblemList,
  shown,
  splitTokens,
  tooLong,
  trimEdges,
  wideProblem,
} from './parse-tokens.js';
import type {
  ImportCommand,
  OptionName,
  ParseFailure,
  ParseNote,
  ParseOptions,
  ParseProblem,
} from './parse-types.js';
import { looksLikePrivateKey } from './public-key.js';
import { KNOWN_REGIONS, knownRegionsWith } from './regions.js';
import { NEXT_KINDS, type RequestDraft, THEN_WORDS, type ThenWord } from './request.js';
import { isSelectorToken, readSelector, SelectorList } from './selectors.js';

export type {
  ModalErrors,
  ModalField,
  ModalParse,
  ModalValues,
} from './parse-modal.js';
export { parseModalValues } from './parse-modal.js';
export { MAX_TEXT_LENGTH } from './parse-tokens.js';
export type {
  ImportCommand,
  OptionName,
  ParseFailure,
  ParseNote,
  ParseOptions,
  ParseProblem,
} from './parse-types.js';

// The /attach-key command text (here) and the request modal's values (parse-modal.ts) -> a RequestDraft, or a problem:
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
// are removed, and `＝` (U+FF1D) and `：` (U+FF1A) are read as `=` and `:`. Every Unicode space (NBSP, U+3000 …), the ASCII
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
// Selectors (selectors.ts): `tag:KEY=VALUE`, `tag:KEY`, `holding:NAME|kp-…|none` name the
// instances instead of ids (never beside them); `then=restart` adds a rolling restart after the
// attach under the same approval.
//
// Words: `help`/`帮助`, `status`/`状态`, `history`/`历史` and `import`/`导入` (any case) pick the
// other forms; import has a grammar of its own (parse-import.ts).
//
// Private keys: any text shaped like one (PEM, OpenSSH, PuTTY) is refused before anything else
// reads it, with no token quoted: it must never be echoed.
//
// Regions: the configured default region is always accepted, with `knownRegions` (KNOWN_REGIONS
// when absent) besides it (see knownRegionsWith).

export type CommandParse =
  | { kind: 'help' }
  | { kind: 'open_modal' }
  | { kind: 'status'; requestId: string }
  | { kind: 'history'; limit: number }
  | { kind: 'request'; draft: RequestDraft; notes: ParseNote[] }
  | ImportCommand
  /** A private key was pasted: refused with a warning, never quoted, stored or logged. */
  | { kind: 'private_key' }
  | ({ kind: 'error' } & ParseFailure);

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
  words: {
    help: ['help', '帮助'],
    status: ['status', '状态'],
    history: ['history', '历史'],
    import: ['import', '导入'],
  },
} as const;

// The request id format belongs to the service; accept any plain id and let the lookup decide.
const REQUEST_ID = /^[A-Za-z0-9][\w-]{0,63}$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/** Parses the text after `/attach-key` (as Slack sends it, & < > escaped). */
export function parseCommandText(text: string, options: ParseOptions): CommandParse {
  const raw = typeof text === 'string' ? text : '';
  if (looksLikePrivateKey(raw)) return { kind: 'private_key' };
  if (raw.length > MAX_TEXT_LENGTH) return fail(tooLong(raw.length));
  const clean = normalise(raw.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? ''));
  const importArgs = importArguments(clean);
  if (importArgs !== undefined) return parseImport(importArgs, options);
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
  // The accounts' own regions count too (one may list a region the bot does not know by name);
  // regionOutsideAccount then holds each request to its account's.
  const regions = [
    ...new Set([
      ...knownRegionsWith(options.defaultRegion, options.knownRegions),
      ...(options.accounts ?? []).flatMap((a) => [
        ...(a.regions ?? []),
        ...(a.defaultRegion ? [a.defaultRegion] : []),
      ]),
    ]),
  ];
  const given = new Map<OptionName, { token: string; value: string }>();
  const ids: string[] = [];
  const selectors = new SelectorList();
  const problems = new ProblemList();
  // With ACCOUNTS_FILE, the list of options a refusal gives names account= too.
  const listing = (problem: ParseProblem | undefined): ParseProblem | undefined =>
    options.accounts?.length &&
    (problem?.kind === 'not_an_option' || (problem?.kind === 'not_an_id' && problem.orOption))
      ? { ...problem, account: true }
      : problem;
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const wide = wideProblem(token);
    if (wide) problems.add(wide);
    else if (isSelectorToken(token)) {
      const read = readSelector(token);
      problems.add(read.ok ? selectors.add(read.selector, token) : read.problem);
    } else if (eq === -1) {
      if (INSTANCE_ID.test(token)) ids.push(token);
      else problems.add(listing(describeBadId(token, regions)));
    } else {
      problems.add(listing(readOption(token, eq, given, regions)));
    }
  }
  const first = problems.summary();
  if (first) return { kind: 'error', ...first };
  const keyPairName = given.get('key')?.value;
  const keyPairId = given.get('key-id')?.value;
  const account = readAccount(given.get('account'), options, regions);
  if (!account.ok) return fail(account.problem);
  const region = given.get('region')?.value.toLowerCase() ?? account.defaultRegion;
  const then = given.get('then')?.value.toLowerCase() as ThenWord | undefined;
  const next = then ? THEN_WORDS[then] : undefined;
  const hasKey = keyPairName !== undefined || keyPairId !== undefined;
  const [firstId] = ids;
  const [firstSelector] = selectors.tokens;
  if (firstId !== undefined && firstSelector !== undefined) {
    return fail({ kind: 'ids_and_selectors', id: shown(firstId), selector: shown(firstSelector) });
  }
  if ((firstId === undefined && firstSelector === undefined) || !hasKey) {
    return fail({
      kind: 'missing',
      instanceIds: firstId === undefined && firstSelector === undefined,
      keyPair: !hasKey,
    });
  }
  const outside = regionOutsideAccount(
    region,
    given.get('region')?.token,
    account.name,
    options,
    regions,
  );
  if (outside) return fail(outside);
  const built = buildDraft(ids, { keyPairName, keyPairId }, region, options.maxInstances);
  if (!built.ok) return fail(built.problem);
  if (keyPairName?.toLowerCase().startsWith('kp-') && keyPairId === undefined) {
    built.notes.push({ kind: 'key_read_as_name', keyPairName });
  }
  const draft: RequestDraft = { ...built.draft };
  if (account.name !== undefined) draft.account = account.name;
  if (selectors.selectors.length) draft.selectors = selectors.selectors;
  if (next) draft.next = next;
  return { kind: 'request', draft, notes: built.notes };
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
  if (name === 'account') return undefined;
  if (name === 'then') {
    if ((NEXT_KINDS as readonly string[]).includes(value.toLowerCase())) return undefined;
    return { kind: 'bad_then', token: quoted, accepted: NEXT_KINDS };
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

const fail = (problem: ParseProblem): CommandParse => ({ kind: 'error', problem, more: 0 });
