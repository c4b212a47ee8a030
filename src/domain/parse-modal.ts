import {
  asText,
  buildDraft,
  describeBadId,
  findMarkup,
  INSTANCE_ID,
  KEY_PAIR_ID,
  KEY_PAIR_NAME,
  MAX_TEXT_LENGTH,
  normalise,
  once,
  ProblemList,
  shown,
  splitTokens,
  tooLong,
  tooMany,
  wideProblem,
} from './parse-tokens.js';
import type { ParseFailure, ParseNote, ParseOptions, ParseProblem } from './parse-types.js';
import { knownRegionsWith } from './regions.js';
import { type NextKind, type RequestDraft, THEN_WORDS, type ThenWord } from './request.js';
import { readFormSelector, type Selector, SelectorList } from './selectors.js';

// The request modal's values -> a RequestDraft, or problems keyed by the input block they belong
// to. The same rules as the command (parse.ts), read field by field.

/** The modal's input blocks; their block ids are these names, so errors key straight onto them. */
export type ModalField = 'instances' | 'instance_ids' | 'key_pair' | 'region' | 'selector';

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
  /** The form's selectors (`env=prod role=web`, `holding:NAME`): instead of picked or pasted ids. */
  selector?: string | null;
  /** The values of the `then` checkboxes that are ticked (`restart`, `apply-now`). */
  next?: readonly unknown[] | null;
}

export type ModalErrors = Partial<Record<ModalField, ParseFailure>>;

export type ModalParse =
  | { ok: true; draft: RequestDraft; notes: ParseNote[] }
  | { ok: false; errors: ModalErrors };

/** Parses the inputs of the request modal; errors are keyed by block id. */
export function parseModalValues(values: ModalValues, options: ParseOptions): ModalParse {
  const errors: ModalErrors = {};
  const pickers = values.picked !== undefined;
  const picked = (Array.isArray(values.picked) ? values.picked : []).filter(
    (id): id is string => typeof id === 'string' && INSTANCE_ID.test(id),
  );
  const text = asText(values.instances);
  const selectors = readModalSelectors(asText(values.selector), errors);
  const selecting = selectors.length > 0 || errors.selector !== undefined;
  let ids: string[];
  if (!pickers) ids = readModalInstances(text, options.maxInstances, errors);
  else {
    // Pasted ids are optional beside picked ones: an empty box is only wrong when nothing was picked.
    const pasted: ModalErrors = {};
    const typed = readModalInstances(text, Number.POSITIVE_INFINITY, pasted);
    const problem = pasted.instances;
    if (problem && problem.problem.kind !== 'no_instances') errors.instance_ids = problem;
    ids = [...picked, ...typed];
    if (!errors.instance_ids && ids.length === 0 && !selecting)
      errors.instances = once({ kind: 'nothing_picked' });
  }
  if (selectors.length && ids.length) errors.selector = once({ kind: 'picked_and_selector' });
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
  if (!built.ok) return { ok: false, errors: { instances: once(built.problem) } };
  const next = readNext(values.next);
  const draft: RequestDraft = { ...built.draft };
  if (selectors.length) draft.selectors = selectors;
  if (next) draft.next = next;
  return { ok: true, draft, notes: built.notes };
}

/** The selector field: the command's selectors, `tag:` optional; problems keyed `selector`. */
function readModalSelectors(text: string, errors: ModalErrors): Selector[] {
  if (text.length > MAX_TEXT_LENGTH) {
    errors.selector = once(tooLong(text.length));
    return [];
  }
  const clean = normalise(text);
  const markup = findMarkup(clean);
  if (markup) {
    errors.selector = once(markup);
    return [];
  }
  const list = new SelectorList();
  const problems = new ProblemList();
  for (const token of splitTokens(clean)) {
    const wide = wideProblem(token);
    if (wide) {
      problems.add(wide);
      continue;
    }
    const read = readFormSelector(token);
    problems.add(read.ok ? list.add(read.selector, token) : read.problem);
  }
  const first = problems.summary();
  if (first) errors.selector = first;
  return first ? [] : list.selectors;
}

/** The first ticked `then` option this version knows (`restart`, `apply-now`; never both: the form refuses that). */
function readNext(values: ModalValues['next']): NextKind | undefined {
  const ticked = Array.isArray(values) ? values : [];
  const word = ticked.find(
    (value): value is ThenWord => typeof value === 'string' && Object.hasOwn(THEN_WORDS, value),
  );
  return word ? THEN_WORDS[word] : undefined;
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
