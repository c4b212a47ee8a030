import { numberFormatter } from './locale.js';

// English number and plural helpers for the English catalogue.

export const num = numberFormatter('en');

/** `1 instance`, `3 instances`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${num(count)} ${count === 1 ? noun : nouns}`;
}

/** `it` / `them`. */
export const they = (count: number): string => (count === 1 ? 'it' : 'them');
