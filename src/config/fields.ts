import { z } from 'zod';

// The field types the environment schema is made of. Every variable treats an empty value as
// unset (`.env` files often leave a line blank), and no error message echoes the value given.

export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const emptyAsUndefined = (v: unknown) =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;

export const bool = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.stringbool({ error: 'expected true or false' }))
      .optional()
      .transform((v) => v ?? fallback),
  );

export const positiveNumber = (fallback: number, what: string) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: `expected ${what}` })
      .positive({ error: `expected ${what}` })
      .optional()
      .transform((v) => v ?? fallback),
  );

export const wholeNumber = (fallback: number, min: number, max: number) => {
  const error = `expected a whole number from ${min} to ${max}`;
  return z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error })
      .int({ error })
      .min(min, { error })
      .max(max, { error })
      .optional()
      .transform((v) => v ?? fallback),
  );
};

export const idList = (pattern: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, { error: what })));

export const httpUrl = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .optional()
      .transform((v) => v ?? fallback),
  );

/**
 * A URL the bot sends a secret to (signed requests with their security token, the bot token):
 * `https://`, or `http://` only to a loopback host (127.0.0.0/8, ::1, localhost), where a test
 * fake or a local proxy listens. `carries` says what would travel in cleartext otherwise.
 */
export const secretCarryingUrl = (fallback: string, carries: string) =>
  httpUrl(fallback).refine((v) => !isCleartext(v) || isLoopbackUrl(v), {
    error: `http:// is accepted only for a loopback host (127.0.0.0/8, ::1, localhost): ${carries} would travel in cleartext. Use https://`,
  });

const isCleartext = (url: string) => /^http:/i.test(url.trim());

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** One of a few words (trimmed; `lowerCase` also folds case), with a default when unset. */
export const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
  options: { error: string; lowerCase: boolean },
) =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const text = options.lowerCase ? v.trim().toLowerCase() : v.trim();
      return text || undefined;
    },
    z
      .enum(values, { error: options.error })
      .optional()
      .transform((v) => v ?? fallback),
  );

/** What a concern's cross-variable check may report. */
export interface Problems {
  add(variable: string, message: string): void;
}
