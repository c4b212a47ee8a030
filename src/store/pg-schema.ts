import type pg from 'pg';
import { AUDIENCE_MIGRATION } from './pg-audience.js';
import { type PgDatabase, run, withClient } from './pg-connection.js';
import { StoreError } from './store-error.js';

// The PostgreSQL schema, created and migrated at start. Each migration runs in its own
// transaction and is idempotent (IF NOT EXISTS), and `store_migrations` records what ran. Replicas
// starting at once queue on one advisory lock: one migrates, the others then find nothing to do.
// A migration is never edited once released: a change is a new one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, their steps, the audit trail',
    sql: `
CREATE TABLE IF NOT EXISTS requests (
  id text COLLATE "C" PRIMARY KEY,
  kind text NOT NULL,
  parent_id text COLLATE "C",
  status text NOT NULL,
  requester_id text NOT NULL,
  created_at timestamptz NOT NULL,
  closed boolean NOT NULL,
  ended_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  data jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS request_steps (
  request_id text COLLATE "C" NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (request_id, idx)
);
-- One follow-up per parent and kind unless it was rejected or expired (CHILD_BLOCKING_STATUSES).
CREATE UNIQUE INDEX IF NOT EXISTS requests_one_follow_up ON requests (parent_id, kind)
  WHERE parent_id IS NOT NULL AND status IN ('pending', 'approved', 'executing', 'done', 'failed');
CREATE INDEX IF NOT EXISTS requests_open ON requests (created_at, id) WHERE NOT closed;
CREATE INDEX IF NOT EXISTS requests_recent ON requests (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS requests_by_requester ON requests (requester_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS requests_children ON requests (parent_id, created_at, id)
  WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS requests_ended ON requests (ended_at) WHERE closed;
-- Append-only: the bot only inserts and selects (README: grant it no more).
CREATE TABLE IF NOT EXISTS audit_events (
  seq bigserial PRIMARY KEY,
  request_id text COLLATE "C" NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  event jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_events_by_request ON audit_events (request_id, seq);
`,
  },
  { version: 2, name: 'who each request concerns (history by reader)', sql: AUDIENCE_MIGRATION },
  {
    version: 3,
    name: 'the public keys the bot knows',
    sql: `
-- Public, not secrets: a key pair's public key (type and base64 blob), checked against its
-- Volcengine fingerprint when recorded. "Apply now" can only push a key kept here.
CREATE TABLE IF NOT EXISTS public_keys (
  key_pair_id text COLLATE "C" PRIMARY KEY,
  key_pair_name text NOT NULL,
  region text NOT NULL,
  fingerprint text NOT NULL,
  key_type text NOT NULL,
  key_blob text NOT NULL,
  comment text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'the Volcengine account of each request',
    // Additive and expand-first (issue 24): computed from the JSON every version writes, so an
    // older replica still running during a rollout keeps writing rows as before, and rows written
    // before ACCOUNTS_FILE (no account in their JSON) read as `default`.
    sql: `
ALTER TABLE requests ADD COLUMN IF NOT EXISTS account text
  GENERATED ALWAYS AS (coalesce(data->>'account', 'default')) STORED;
CREATE INDEX IF NOT EXISTS requests_by_account ON requests (account, created_at DESC, id DESC);
`,
  },
];

export const SCHEMA_VERSION = (MIGRATIONS.at(-1) as Migration).version;

/**
 * Additive changes a replica of the previous version runs beside (expand first, contract in a
 * later version): not counted in SCHEMA_VERSION, so during a rolling deploy an older replica still
 * starts (it refuses a newer schema version) and goes on reading and writing the old form. Each
 * runs, under the migration lock, only when its `present` query finds nothing.
 */
export interface Expansion {
  name: string;
  present: string;
  sql: string;
}

export const EXPANSIONS: readonly Expansion[] = [
  {
    // Issue 20. Written beside `data`'s copy until the contract step (a later version: backfill
    // the column, read it, stop writing the preview into `data`, drop it from there).
    name: 'requests.preview: the preview in a column of its own',
    present: `SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'requests' AND column_name = 'preview'`,
    sql: 'ALTER TABLE requests ADD COLUMN IF NOT EXISTS preview jsonb',
  },
];

/** pg_advisory_lock key: "akb-schema" folded into a bigint. */
const MIGRATION_LOCK = 0x616b625f736368n;

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS store_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Brings the schema to SCHEMA_VERSION; answers the versions before and after. */
export async function migrate(db: PgDatabase): Promise<{ from: number; to: number }> {
  return withClient(db, (client) => migrateOn(db, client)).catch((error: unknown) => {
    throw explainPrivileges(db, error);
  });
}

async function migrateOn(
  db: PgDatabase,
  client: pg.PoolClient,
): Promise<{ from: number; to: number }> {
  await run(db, client, 'SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
  try {
    // Created only when missing: a role without CREATE can still start on a migrated schema.
    if (!(await hasMigrationsTable(db, client))) await run(db, client, MIGRATIONS_TABLE);
    const from = await appliedVersion(db, client);
    if (from > SCHEMA_VERSION) throw newerSchema(db, from);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await run(db, client, 'BEGIN');
      try {
        await run(db, client, migration.sql);
        await run(db, client, 'INSERT INTO store_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await run(db, client, 'COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
    for (const expansion of EXPANSIONS) {
      // Looked for first: a role without ALTER starts on a schema that has it.
      if ((await run(db, client, expansion.present)).rows.length > 0) continue;
      await run(db, client, expansion.sql);
    }
    return { from, to: Math.max(from, SCHEMA_VERSION) };
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()])
      .catch(() => {});
  }
}

async function hasMigrationsTable(db: PgDatabase, on: pg.PoolClient | pg.Pool): Promise<boolean> {
  const result = await run<{ found: boolean }>(
    db,
    on,
    "SELECT to_regclass('store_migrations') IS NOT NULL AS found",
  );
  return result.rows[0]?.found === true;
}

async function appliedVersion(db: PgDatabase, on: pg.PoolClient | pg.Pool): Promise<number> {
  const result = await run<{ version: number | null }>(
    db,
    on,
    'SELECT max(version) AS version FROM store_migrations',
  );
  return result.rows[0]?.version ?? 0;
}

function newerSchema(db: PgDatabase, found: number): StoreError {
  return new StoreError(
    'store_schema_newer',
    `The PostgreSQL request store ${db.where} has schema version ${found}, written by a newer version of the bot (this one knows up to ${SCHEMA_VERSION}). Run the newer version, or point DATABASE_URL at another database.`,
  );
}

/** A role without the right to change the schema gets told how to migrate. */
function explainPrivileges(db: PgDatabase, error: unknown): unknown {
  const cause = error instanceof StoreError ? (error.cause as { code?: unknown }) : undefined;
  if (cause?.code !== '42501') return error;
  return new StoreError(
    'store_query_failed',
    `The role in DATABASE_URL may not create or change the schema of ${db.where} (${(error as Error).message}). Start this version once with the database owner's URL to migrate it (README: PostgreSQL).`,
    { cause },
  );
}
