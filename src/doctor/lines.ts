import type { DoctorTexts } from './i18n/en.js';

// What a doctor check returns and the helpers its lines are made of, shared by doctor.ts and the
// Slack and Volcengine checks. The words come from the doctor's catalogue (i18n/);
// nothing here reads secrets, and the caller redacts every line.

export type CheckId = keyof DoctorTexts['names'];

export interface DoctorCheck {
  /** Which check, the same in every language. */
  id: CheckId;
  /** Its name in the doctor's language. */
  name: string;
  ok: boolean | 'skipped';
  /** What was found, with the fix of a failure (`… Fix: …` in English). */
  detail: string;
  /** ACCOUNTS_FILE: the account a Volcengine line is about. */
  account?: string;
}

/** A check's finding; doctor.ts joins `fix` to the detail as its language does. */
export interface Result {
  ok: boolean | 'skipped';
  detail: string;
  fix?: string;
}

export const pass = (detail: string): Result => ({ ok: true, detail });
export const fail = (what: string, fix?: string): Result => ({
  ok: false,
  detail: what,
  ...(fix ? { fix } : {}),
});
export const skip = (detail: string): Result => ({ ok: 'skipped', detail });

export function unexpected(error: unknown, t: DoctorTexts): Result {
  return fail(t.common.unexpected(errorText(error)), t.common.report);
}

/** The token's kind, never its value: `xoxb-…`. */
export function hint(token: string): string {
  return `${token.slice(0, 5)}…`;
}

/** A URL without any user:password part. */
export function displayUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return text;
  }
}

export function formatDuration(ms: number, t: DoctorTexts): string {
  const seconds = Math.round(ms / 1000);
  return t.common.duration(Math.floor(seconds / 60), seconds % 60);
}

export function errorText(error: unknown): string {
  return shorten(error instanceof Error ? error.message : String(error));
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

/** An errno-style code (ENOTDIR), if the error has one. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
