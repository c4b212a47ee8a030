// What a doctor check returns and the words its lines are made of, shared by doctor.ts and the
// Volcengine checks in doctor-volc.ts. Nothing here reads secrets; the caller redacts every line.

export interface DoctorCheck {
  name: string;
  ok: boolean | 'skipped';
  detail: string;
}

export type Result = Omit<DoctorCheck, 'name'>;

export const pass = (detail: string): Result => ({ ok: true, detail });
export const fail = (what: string, fix: string): Result => ({
  ok: false,
  detail: `${what}. Fix: ${fix}`,
});
export const skip = (detail: string): Result => ({ ok: 'skipped', detail });

export function unexpected(error: unknown): Result {
  return fail(`unexpected error: ${errorText(error)}`, 'report it with this line');
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

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

export function errorText(error: unknown): string {
  return shorten(error instanceof Error ? error.message : String(error));
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
