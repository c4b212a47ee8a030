import { KEY_PAIR_ID, KEY_PAIR_NAME, shown, trimEdges } from './parse-tokens.js';
import type { ParseProblem } from './parse-types.js';
import type { Selector } from './request.js';

// Fleet selectors (issue 21): `tag:KEY=VALUE`, `tag:KEY` (any value), `holding:NAME`,
// `holding:kp-…` and `holding:none`. All of a request's selectors must hold (AND), in its region.
// They are inputs, not the request: the service resolves them at submit into instance ids, which
// are what the approver sees and approves (design.md "Selections are resolved, then frozen").
//
// Resolution asks DescribeInstances for server-side filters (TagFilters, KeyPairName), then
// re-checks every instance of every answer here (`matchesSelectors`): the API's KeyPairName filter
// may be fuzzy (shared/docs/volcengine.md §9), and a near miss must never be selected.

export type { Selector } from './request.js';

/** TagFilters.N takes N from 1 to 10, one key each (volcengine.md §9). */
export const MAX_TAG_SELECTORS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
const SELECTOR = /^(tag|holding):/i;
// Control characters never belong in a tag; whitespace already separates tokens.
const BAD_TAG_CHAR = /[\p{Cc}\p{Cf}]/u;

/** `tag:…` or `holding:…` (any case), the selector words. */
export function isSelectorToken(token: string): boolean {
  return SELECTOR.test(token);
}

export type SelectorRead = { ok: true; selector: Selector } | { ok: false; problem: ParseProblem };

/** Reads one selector token (`isSelectorToken` holds). */
export function readSelector(token: string): SelectorRead {
  const colon = token.indexOf(':');
  const word = token.slice(0, colon).toLowerCase();
  const rest = token.slice(colon + 1);
  return word === 'tag' ? readTag(token, rest) : readHolding(token, rest);
}

/**
 * A selector of the form, where `tag:` may be left out: `env=prod` and `env` are tags there, as
 * the field's hint says. `holding:` is always written out.
 */
export function readFormSelector(token: string): SelectorRead {
  return isSelectorToken(token) ? readSelector(token) : readTag(token, token);
}

function readTag(token: string, text: string): SelectorRead {
  const quoted = shown(token);
  const eq = text.indexOf('=');
  const key = eq === -1 ? text : text.slice(0, eq);
  const value = eq === -1 ? undefined : text.slice(eq + 1);
  if (key === '') return fail({ kind: 'selector_empty', token: quoted, selector: 'tag' });
  if (value === '') {
    return fail({ kind: 'tag_empty_value', token: quoted, fix: `tag:${shown(key)}` });
  }
  if (key.length > MAX_TAG_KEY || BAD_TAG_CHAR.test(key)) {
    return fail({ kind: 'bad_tag', token: quoted, part: 'key', limit: MAX_TAG_KEY });
  }
  if (value !== undefined && (value.length > MAX_TAG_VALUE || BAD_TAG_CHAR.test(value))) {
    return fail({ kind: 'bad_tag', token: quoted, part: 'value', limit: MAX_TAG_VALUE });
  }
  return {
    ok: true,
    selector: value === undefined ? { kind: 'tag', key } : { kind: 'tag', key, value },
  };
}

function readHolding(token: string, text: string): SelectorRead {
  const quoted = shown(token);
  if (text === '') return fail({ kind: 'selector_empty', token: quoted, selector: 'holding' });
  if (text.toLowerCase() === 'none') return { ok: true, selector: { kind: 'holding' } };
  const lower = text.toLowerCase();
  if (lower.startsWith('kp-')) {
    if (KEY_PAIR_ID.test(text)) return { ok: true, selector: { kind: 'holding', keyPairId: text } };
    return KEY_PAIR_ID.test(lower)
      ? fail({ kind: 'bad_holding', token: quoted, fix: `holding:${lower}` })
      : fail({ kind: 'bad_holding', token: quoted });
  }
  if (KEY_PAIR_NAME.test(text))
    return { ok: true, selector: { kind: 'holding', keyPairName: text } };
  const unquoted = trimEdges(text, (c) => !`"'“”‘’()[]{}<>`.includes(c));
  return KEY_PAIR_NAME.test(unquoted)
    ? fail({ kind: 'bad_holding', token: quoted, fix: `holding:${shown(unquoted)}` })
    : fail({ kind: 'bad_holding', token: quoted });
}

const fail = (problem: ParseProblem): SelectorRead => ({ ok: false, problem });

/**
 * Collects selectors in order and refuses what cannot hold together: one tag key twice (an
 * instance has one value per key, and the API refuses duplicate keys), two `holding:` (an
 * instance holds one key pair), more tags than TagFilters takes.
 */
export class SelectorList {
  readonly selectors: Selector[] = [];
  readonly tokens: string[] = [];

  add(selector: Selector, token: string): ParseProblem | undefined {
    const earlier = this.selectors.findIndex((s) => sameSlot(s, selector));
    if (earlier !== -1) {
      return {
        kind: 'selector_twice',
        token: shown(token),
        first: shown(this.tokens[earlier] ?? ''),
      };
    }
    this.selectors.push(selector);
    this.tokens.push(token);
    const tags = this.selectors.filter((s) => s.kind === 'tag').length;
    if (selector.kind === 'tag' && tags > MAX_TAG_SELECTORS) {
      return { kind: 'too_many_tags', count: tags, limit: MAX_TAG_SELECTORS };
    }
    return undefined;
  }
}

function sameSlot(a: Selector, b: Selector): boolean {
  if (a.kind === 'holding' || b.kind === 'holding') return a.kind === b.kind;
  return a.key === b.key;
}

/** How a selector is written (the card, status, history, the audit trail). */
export function formatSelector(selector: Selector): string {
  if (selector.kind === 'tag') {
    return selector.value === undefined
      ? `tag:${selector.key}`
      : `tag:${selector.key}=${selector.value}`;
  }
  return `holding:${selector.keyPairId ?? selector.keyPairName ?? 'none'}`;
}

/** What DescribeInstances is asked to filter on; every answer is still re-checked. */
export interface SelectionFilters {
  tagFilters: Array<{ key: string; values: string[] }>;
  /** The key pair name to filter on; may match fuzzily. */
  keyPairName?: string;
}

/**
 * The server-side filters of these selectors. `holding:kp-…` filters by the key pair's name when
 * it is known (`keyPairNameOfId`): DescribeInstances has no KeyPairId filter.
 */
export function selectionFilters(
  selectors: readonly Selector[],
  keyPairNameOfId?: string,
): SelectionFilters {
  const tagFilters = selectors.flatMap((s) =>
    s.kind === 'tag' ? [{ key: s.key, values: s.value === undefined ? [] : [s.value] }] : [],
  );
  const holding = selectors.find((s) => s.kind === 'holding');
  const keyPairName =
    holding?.kind === 'holding'
      ? (holding.keyPairName ?? (holding.keyPairId ? keyPairNameOfId : undefined))
      : undefined;
  return keyPairName ? { tagFilters, keyPairName } : { tagFilters };
}

/** Whether the instance as read satisfies every selector exactly (case and all). */
export function matchesSelectors(
  instance: {
    tags: ReadonlyArray<{ key: string; value: string }>;
    keyPairId?: string;
    keyPairName?: string;
  },
  selectors: readonly Selector[],
): boolean {
  return selectors.every((s) => {
    if (s.kind === 'tag') {
      return instance.tags.some(
        (t) => t.key === s.key && (s.value === undefined || t.value === s.value),
      );
    }
    if (s.keyPairId) return instance.keyPairId === s.keyPairId;
    if (s.keyPairName) return instance.keyPairName === s.keyPairName;
    return !instance.keyPairId && !instance.keyPairName;
  });
}
