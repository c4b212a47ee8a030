import type { Logger } from '../service/ports.js';

// One log line per event: JSON lines (LOG_FORMAT=json) or readable text. Every line passes through
// a redactor that knows the configured secrets, so a token can't leak even through a library error.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  format: 'text' | 'json';
  secrets: readonly string[];
  write?: (line: string) => void;
  now?: () => Date;
}

export interface AppLogger extends Logger {
  readonly level: LogLevel;
  child(fields: Record<string, unknown>): AppLogger;
}

const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /(Signature=)[0-9a-f]{16,}/gi,
  /(HMAC-SHA256 Credential=)[^\s,]+/g,
  /(authorization["']?\s*[:=]\s*["']?)[^"',\s]+(\s[^"',]+)?/gi,
  // The password of any postgres:// URL, even one that is not DATABASE_URL.
  /(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]+(?=@)/gi,
  // A response_url lets whoever holds it post as the bot for 30 minutes; debug logs carry whole
  // Slack payloads (JSON, JSON inside a string, form-encoded, key=value).
  /(response_url(?:\\?["']|%22)?\s*(?:[:=]|%3A)\s*(?:\\?["']|%22)?)(?:(?!%22)[^"'\s&,}\\])+/gi,
  // Any incoming-webhook or response URL, wherever it appears (also URL-encoded).
  /(?:https?(?::|%3A)(?:\/\/|%2F%2F))?hooks\.slack(?:-gov)?\.com(?:\/|%2F)(?:(?!%22)[^"'\s&,}\\])*/gi,
];

// A private key pasted into a command reaches logs only inside a payload (Bolt's and Socket
// Mode's debug lines): raw, JSON-escaped once or twice (\n, \\n) or form-encoded (+, %0A). From its first marker on,
// everything that can belong to a key goes, END line included; a line stops it only at a
// character no key has (a quote, a brace), so a JSON log line stays JSON.
const KEY_TEXT = String.raw`(?:[A-Za-z0-9+/=:,.\s-]|\\+[nrt]|%[0-9A-Fa-f]{2})*`;
const PRIVATE_KEY_PATTERNS: RegExp[] = [
  new RegExp(
    String.raw`-{2,}(?:\s|\+|%20)*BEGIN(?:[\sA-Z0-9+]|%20){0,60}PRIVATE(?:\s|\+|%20)+KEY${KEY_TEXT}`,
    'gi',
  ),
  new RegExp(`PuTTY-User-Key-File-${KEY_TEXT}`, 'gi'),
  new RegExp(`b3BlbnNzaC1rZXktdjE${KEY_TEXT}`, 'g'),
];

/**
 * Replaces every configured secret and anything shaped like a Slack token, a signature or a
 * private key.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const literal = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of literal) out = out.split(secret).join('[redacted]');
    for (const pattern of SECRET_PATTERNS) {
      out = out.replace(pattern, (_match, prefix?: string) =>
        typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]',
      );
    }
    for (const pattern of PRIVATE_KEY_PATTERNS)
      out = out.replace(pattern, '[redacted private key]');
    return out;
  };
}

export function createLogger(
  options: LoggerOptions,
  bound: Record<string, unknown> = {},
): AppLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const redact = createRedactor(options.secrets);

  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < RANK[options.level]) return;
    const all = { ...bound, ...fields };
    const line =
      options.format === 'json'
        ? JSON.stringify({ level, time: now().toISOString(), event: message, ...serialisable(all) })
        : `${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${formatFields(all)}`;
    write(redact(line));
  };

  return {
    level: options.level,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

function serialisable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? describeError(value) : value;
  }
  return out;
}

function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(serialisable(fields)).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** Errors become their name, code and message only: stacks and request configs can hold secrets. */
export function describeError(error: unknown): Record<string, unknown> | string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: unknown; data?: { error?: unknown } };
  return {
    name: e.name,
    ...(e.code !== undefined ? { code: e.code } : {}),
    message: e.message,
    ...(typeof e.data?.error === 'string' ? { slackError: e.data.error } : {}),
  };
}

/** Bolt's Logger interface, on top of ours. */
export function toBoltLogger(logger: AppLogger) {
  let level = logger.level as string;
  const join = (msgs: unknown[]) =>
    msgs.map((m) => (m instanceof Error ? JSON.stringify(describeError(m)) : String(m))).join(' ');
  return {
    debug: (...msgs: unknown[]) => logger.debug(join(msgs), { source: 'bolt' }),
    info: (...msgs: unknown[]) => logger.info(join(msgs), { source: 'bolt' }),
    warn: (...msgs: unknown[]) => logger.warn(join(msgs), { source: 'bolt' }),
    error: (...msgs: unknown[]) => logger.error(join(msgs), { source: 'bolt' }),
    setLevel: (next: string) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
