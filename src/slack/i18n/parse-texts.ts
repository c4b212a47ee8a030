import type { ParseNote, ParseProblem } from '../../domain/parse.js';

// The shape of a catalogue's parser texts: one function per problem (and note) kind, each given
// the problem and how to quote. The parser hands over raw tokens; where they are shown decides the
// quoting (a mrkdwn code span for the command's reply, "…" under a modal input), so a catalogue
// never escapes anything itself.

export interface ParseFormat {
  /** Quotes something the user typed (or the form to type instead). */
  q: (token: string) => string;
  /** Makes other text safe where it is shown (escapes mrkdwn; plain text stays as it is). */
  x: (text: string) => string;
}

type TextsFor<U extends { kind: string }> = {
  [K in U['kind']]: (p: Extract<U, { kind: K }>, f: ParseFormat) => string;
};

export type ProblemTexts = TextsFor<ParseProblem>;
export type NoteTexts = TextsFor<ParseNote>;
