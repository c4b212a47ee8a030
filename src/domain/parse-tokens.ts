import type { OptionName, ParseFailure, ParseNote, ParseProblem } from './parse-types.js';
import type { RequestDraft } from './request.js';

// The pieces both parsers (the command's, parse.ts, and the modal's, parse-modal.ts) are made of:
// the id patterns, normalisation, token splitting, how a token is quoted in a problem, why a word
// is not an instance id, and the draft built from what was read. The rules are described at the
// top of parse.ts.

/** Longer text is refused before any other work. */
export const MAX_TEXT_LENGTH = 100_000;

export const INSTANCE_ID = /^i-[a-z0-9]{4,40}$/;
export const KEY_PAIR_ID = /^kp-[a-z0-9]{4,40}$/;
export const KEY_PAIR_NAME = /^[A-Za-z\p{Script=Han}][\w.\-\p{Script=Han}]{1,63}$/u;
const SLACK_MARKUP = /<[!@#][^<>]*>|<[a-z][a-z0-9+.-]*:[^<>]*>/i;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const WIDE_ASCII = /[\uFF01-\uFF5E]/g;
const HAS_WIDE_ASCII = /[\uFF01-\uFF5E]/;
const SEPARATORS = /[\s,\u3001\uFF0C\uFF1B]+/;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const MAX_QUOTED = 40;

/**
 * Why a token without "=" is not an instance id, with the likely fix when there is one. `regions`
 * is null in the modal's instance field, where a word cannot be an option.
 */
export function describeBadId(token: string, regions: readonly string[] | null): ParseProblem {
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

export function buildDraft(
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
export class ProblemList {
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

export function findMarkup(text: string): ParseProblem | undefined {
  const found = SLACK_MARKUP.exec(text)?.[0];
  return found === undefined ? undefined : { kind: 'markup', token: shown(found) };
}

export function normalise(text: string): string {
  return text
    .replace(ZERO_WIDTH, '')
    .replaceAll('\uFF1D', '=')
    .replaceAll('\uFF1A', ':')
    .replaceAll('`', '');
}

/** A token with full-width ASCII forms in it, and the same token in ASCII to type instead. */
export function wideProblem(token: string): ParseProblem | undefined {
  if (!HAS_WIDE_ASCII.test(token)) return undefined;
  const ascii = token.replace(WIDE_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return { kind: 'wide_characters', token: shown(token), ascii: shown(ascii) };
}

export function splitTokens(text: string): string[] {
  return text.split(SEPARATORS).filter((t) => t !== '');
}

export function trimEdges(text: string, keep: (c: string) => boolean): string {
  let start = 0;
  let end = text.length;
  while (start < end && !keep(text.charAt(start))) start += 1;
  while (end > start && !keep(text.charAt(end - 1))) end -= 1;
  return text.slice(start, end);
}

export function isOptionName(name: string): name is OptionName {
  return (
    name === 'key' ||
    name === 'key-id' ||
    name === 'region' ||
    name === 'then' ||
    name === 'account'
  );
}

/** The token as shown to people: at most ~40 characters, no invisible or control characters. */
export function shown(token: string): string {
  const chars = Array.from(token.slice(0, 4 * MAX_QUOTED));
  const clipped =
    chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED - 1).join('')}…` : chars.join('');
  return clipped.replace(UNPRINTABLE, '\uFFFD');
}

export const once = (problem: ParseProblem): ParseFailure => ({ problem, more: 0 });

export const tooLong = (length: number): ParseProblem => ({
  kind: 'too_long',
  length,
  limit: MAX_TEXT_LENGTH,
});

export const tooMany = (given: number, count: number, limit: number): ParseProblem => ({
  kind: 'too_many_ids',
  count,
  given,
  limit,
});

export function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
