// The parser's problems and notes in the reader's words: the catalogue says them, this file picks
// the quoting for where they are shown. The command's replies are mrkdwn (tokens as escaped code
// spans); Slack shows modal errors under the input as plain text (tokens in "…", no escaping).

import type { ModalErrors, ParseFailure, ParseNote, ParseProblem } from '../../domain/parse.js';
import type { Catalogue } from '../i18n/en.js';
import type { ParseFormat } from '../i18n/parse-texts.js';
import { escapeMrkdwn } from './escape.js';

export const MRKDWN_FORMAT: ParseFormat = {
  q: (token) => `\`${escapeMrkdwn(token)}\``,
  x: escapeMrkdwn,
};

export const PLAIN_FORMAT: ParseFormat = { q: (token) => `"${token}"`, x: (text) => text };

// The catalogue types each function by its own kind; called through the union, one cast says so.
type Say<U> = (p: U, f: ParseFormat) => string;

export function describeParseProblem(p: ParseProblem, t: Catalogue, f: ParseFormat): string {
  return (t.parse.problem[p.kind] as Say<ParseProblem>)(p, f);
}

/** The first problem, and how many more words had one. */
export function describeParseFailure(failure: ParseFailure, t: Catalogue, f: ParseFormat): string {
  const text = describeParseProblem(failure.problem, t, f);
  return failure.more > 0 ? `${text}${t.parse.more(failure.more)}` : text;
}

export function describeParseNote(note: ParseNote, t: Catalogue): string {
  return (t.parse.note[note.kind] as Say<ParseNote>)(note, MRKDWN_FORMAT);
}

/** The modal's `response_action: errors`, keyed by block id, as plain text. */
export function describeModalErrors(errors: ModalErrors, t: Catalogue): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [field, failure] of Object.entries(errors)) {
    if (failure) texts[field] = describeParseFailure(failure, t, PLAIN_FORMAT);
  }
  return texts;
}
