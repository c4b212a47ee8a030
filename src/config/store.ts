import { z } from 'zod';
import { emptyAsUndefined, optionalText, positiveNumber, wholeNumber } from './fields.js';

// Where requests live: lowdb files (the default) or PostgreSQL, how long finished ones are kept,
// and how long an executor holds a request before another replica may take it over.

/** DATA_FILE when unset: sandbox and live never share a file by accident. */
export const DEFAULT_DATA_FILE = { live: './data/db.json', sandbox: './data/sandbox.json' };
/** AUDIT_FILE in sandbox mode when neither it nor DATA_FILE is set: not the live trail. */
export const DEFAULT_SANDBOX_AUDIT_FILE = './data/sandbox-audit.jsonl';

export const storeFields = {
  // Unset: DEFAULT_DATA_FILE of the mode (VOLC_SANDBOX). A value set is used as it is.
  DATA_FILE: z.preprocess(emptyAsUndefined, z.string().optional()),
  AUDIT_FILE: optionalText,
  RETENTION_DAYS: positiveNumber(30, 'a positive number of days'),
  // Its value may hold a password: the error never echoes it.
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .refine(isPostgresUrl, {
        error:
          'expected a postgres:// or postgresql:// URL such as postgres://bot@db.internal:5432/attach_key_bot',
      })
      .optional(),
  ),
  EXECUTION_LEASE_SECONDS: wholeNumber(30, 5, 3600),
};

type Env = z.infer<z.ZodObject<typeof storeFields>>;

export interface StoreConfig {
  dataFile: string;
  auditFile?: string;
  retentionDays: number;
  /** PostgreSQL instead of lowdb at dataFile; a secret (it may hold a password). */
  databaseUrl?: string;
  /** How long an executor holds a request before another replica may take it over. */
  leaseSeconds: number;
}

export function toStoreConfig(env: Env, mode: { sandbox: boolean }): { storage: StoreConfig } {
  return {
    storage: {
      dataFile: env.DATA_FILE ?? DEFAULT_DATA_FILE[mode.sandbox ? 'sandbox' : 'live'],
      // Otherwise audit.jsonl beside DATA_FILE (the store's default).
      ...(env.AUDIT_FILE
        ? { auditFile: env.AUDIT_FILE }
        : mode.sandbox && !env.DATA_FILE
          ? { auditFile: DEFAULT_SANDBOX_AUDIT_FILE }
          : {}),
      retentionDays: env.RETENTION_DAYS,
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      leaseSeconds: env.EXECUTION_LEASE_SECONDS,
    },
  };
}

function isPostgresUrl(text: string): boolean {
  try {
    const url = new URL(text);
    const scheme = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    // libpq's socket form: postgresql:///db?host=/var/run/postgresql
    return scheme && (url.host !== '' || url.searchParams.has('host'));
  } catch {
    return false;
  }
}

/** DATABASE_URL's password, as written and decoded: a secret of its own in any text. */
export function urlPasswords(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const { password } = new URL(text);
    return password ? [...new Set([password, decodeURIComponent(password)])] : [];
  } catch {
    return [];
  }
}
