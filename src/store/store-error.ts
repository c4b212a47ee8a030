import type { STORE_UNAVAILABLE } from '../service/ports.js';

// Errors both stores throw, each with a stable `code`. Messages say what happened and what to do;
// they never carry a connection string or a password.

export type StoreErrorCode =
  /** DATA_FILE (or its history) cannot be read: a directory, permissions. */
  | 'store_unreadable'
  /** DATA_FILE is empty, not JSON, not in the expected shape, or from a newer bot. */
  | 'store_corrupt'
  /** A lowdb write failed; the change stays in memory and goes out with the next write. */
  | 'store_write_failed'
  /** The store was closed. */
  | 'store_closed'
  /** The database schema is newer than this bot knows. */
  | 'store_schema_newer'
  /** The database refused a statement for a reason other than reachability (a bug, privileges). */
  | 'store_query_failed'
  /** An update returned a request with another id. */
  | 'request_id_changed'
  /** The database cannot be reached; nothing is known to have changed. */
  | typeof STORE_UNAVAILABLE;

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export function idChanged(id: string, returned: string): StoreError {
  return new StoreError(
    'request_id_changed',
    `An update of request ${id} returned request ${returned}; ids never change.`,
  );
}

/** An errno-style code, else the message. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
