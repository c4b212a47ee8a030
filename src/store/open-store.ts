import type { PublicKeyRegistry } from '../service/key-registry.js';
import { type AuditLog, isStoreUnavailable, type RequestStore } from '../service/ports.js';
import { defaultAuditFile, openAuditLog } from './audit-log.js';
import { defaultKeysFile, openLowdbKeyRegistry } from './lowdb-keys.js';
import { type LowdbStoreStats, openLowdbStore } from './lowdb-store.js';
import { createPgAuditLog } from './pg-audit-log.js';
import { describeUrl, openPgDatabase, type PgOptions } from './pg-connection.js';
import { createPgKeyRegistry } from './pg-keys.js';
import { migrate } from './pg-schema.js';
import { createPgStore, type PgStoreStats } from './pg-store.js';

// The one place that picks the store: DATABASE_URL selects PostgreSQL (store and audit trail in
// that database), else lowdb at DATA_FILE with the JSON-lines audit log beside it. The service
// gets a RequestStore and an AuditLog and never knows which.

export interface OpenStoresOptions {
  dataFile: string;
  /** lowdb only: the JSON-lines audit trail; default audit.jsonl beside DATA_FILE. */
  auditFile?: string;
  /** lowdb only: fdatasync every audit append. */
  durableAudit?: boolean;
  /** postgres:// or postgresql://; when set, DATA_FILE and AUDIT_FILE are not used. */
  databaseUrl?: string;
  postgres?: PgOptions;
  /**
   * PostgreSQL: while the server cannot be reached at start, wait and try again instead of
   * failing (a supervisor restarting the bot would only add a crash loop).
   */
  waitForDatabase?: {
    delayMs: number;
    onWaiting?: (error: Error, attempt: number) => void;
    signal?: AbortSignal;
    sleep?: (ms: number) => Promise<void>;
  };
}

export type StoreStats =
  | ({ kind: 'lowdb' } & LowdbStoreStats)
  | ({ kind: 'postgres' } & PgStoreStats);

export interface OpenedStores {
  store: RequestStore;
  audit: AuditLog;
  /** The public keys the bot knows: in the database, or `db.keys.json` beside DATA_FILE. */
  keys: PublicKeyRegistry;
  kind: 'lowdb' | 'postgres';
  /** Where the data is, fit for a log line: DATA_FILE, or user@host:port/database. */
  location: string;
  stats(): StoreStats;
  /** Closes the store (waiting for its writes), then the audit trail and the keys. */
  close(): Promise<void>;
}

export async function openStores(options: OpenStoresOptions): Promise<OpenedStores> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openLowdb(options);
}

async function openLowdb(options: OpenStoresOptions): Promise<OpenedStores> {
  const store = await openLowdbStore({ dataFile: options.dataFile });
  let audit: AuditLog;
  let keys: PublicKeyRegistry;
  try {
    audit = await openAuditLog({
      file: options.auditFile ?? defaultAuditFile(options.dataFile),
      durable: options.durableAudit ?? false,
    });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  try {
    keys = await openLowdbKeyRegistry(defaultKeysFile(options.dataFile));
  } catch (error) {
    await closeAll(store, audit).catch(() => {});
    throw error;
  }
  return {
    store,
    audit,
    keys,
    kind: 'lowdb',
    location: options.dataFile,
    stats: () => ({ kind: 'lowdb', ...store.stats() }),
    close: () => closeAll(store, audit, keys),
  };
}

async function openPostgres(url: string, options: OpenStoresOptions): Promise<OpenedStores> {
  const db = openPgDatabase(url, options.postgres);
  try {
    await migrateWhenReachable(() => migrate(db), options.waitForDatabase);
  } catch (error) {
    await db.release();
    throw error;
  }
  const store = createPgStore(db);
  const audit = createPgAuditLog(db.share());
  const keys = createPgKeyRegistry(db.share());
  return {
    store,
    audit,
    keys,
    kind: 'postgres',
    location: describeUrl(url),
    stats: () => ({ kind: 'postgres', ...store.stats() }),
    close: () => closeAll(store, audit, keys),
  };
}

async function migrateWhenReachable(
  attempt: () => Promise<unknown>,
  wait: OpenStoresOptions['waitForDatabase'],
): Promise<void> {
  const sleep = wait?.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let tries = 1; ; tries++) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (!wait || !isStoreUnavailable(error) || wait.signal?.aborted) throw error;
      wait.onWaiting?.(error as Error, tries);
      await sleep(wait.delayMs);
      if (wait.signal?.aborted) throw error;
    }
  }
}

/** The store first (waiting for its writes), then the audit trail and the keys. */
async function closeAll(
  store: RequestStore,
  audit: AuditLog,
  keys?: PublicKeyRegistry,
): Promise<void> {
  const results = await Promise.allSettled([store.close()]);
  results.push(...(await Promise.allSettled([audit.close(), keys?.close()])));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
