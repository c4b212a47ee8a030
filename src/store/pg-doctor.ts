import pg from 'pg';
import { describeUrl, isConnectionProblem, messageOf, scrubberFor } from './pg-connection.js';
import { SCHEMA_VERSION } from './pg-schema.js';

// `npm run doctor` on a DATABASE_URL: can the bot connect, which schema version is there, and may
// it write (an INSERT into each table it writes, inside a transaction that is rolled back, so the
// check leaves nothing behind). Findings only: the doctor's catalogue words them (and the fix).

/** What the server said: its error code, if any, and its message with the URL scrubbed. */
export interface PgReason {
  code?: string;
  message: string;
}

export type PgProbe =
  | { ok: true; kind: 'ready'; where: string; version: number }
  /** `from` 0: no schema yet. */
  | { ok: true; kind: 'migrates_at_start'; where: string; from: number; to: number }
  | { ok: false; kind: 'newer_schema'; where: string; version: number; known: number }
  | { ok: false; kind: 'cannot_migrate'; where: string; from: number; to: number }
  | { ok: false; kind: 'query_failed'; where: string; reason: PgReason }
  | { ok: false; kind: 'read_only' }
  | { ok: false; kind: 'write_denied'; message: string }
  | { ok: false; kind: 'login_refused'; where: string; reason: PgReason }
  | { ok: false; kind: 'no_database'; where: string; reason: PgReason }
  | { ok: false; kind: 'unreachable'; where: string; reason: PgReason }
  | { ok: false; kind: 'connect_failed'; where: string; reason: PgReason };

export async function probePostgres(url: string, timeoutMs: number): Promise<PgProbe> {
  const where = describeUrl(url);
  const scrub = scrubberFor(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'attach-key-bot doctor',
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    return connectFailure(where, error, scrub);
  }
  try {
    const version = await schemaVersionOf(client);
    if (version > SCHEMA_VERSION) {
      return { ok: false, kind: 'newer_schema', where, version, known: SCHEMA_VERSION };
    }
    if (version < SCHEMA_VERSION) {
      const { rows } = await client.query<{ allowed: boolean }>(
        "SELECT has_schema_privilege(current_schema(), 'CREATE') AS allowed",
      );
      const migration = { where, from: version, to: SCHEMA_VERSION };
      return rows[0]?.allowed === true
        ? { ok: true, kind: 'migrates_at_start', ...migration }
        : { ok: false, kind: 'cannot_migrate', ...migration };
    }
    const denied = await writeProbe(client);
    if (denied) return denied;
    return { ok: true, kind: 'ready', where, version };
  } catch (error) {
    return { ok: false, kind: 'query_failed', where, reason: reasonOf(error, scrub) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function schemaVersionOf(client: pg.Client): Promise<number> {
  const found = await client.query<{ found: boolean }>(
    "SELECT to_regclass('store_migrations') IS NOT NULL AS found",
  );
  if (found.rows[0]?.found !== true) return 0;
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM store_migrations',
  );
  return rows[0]?.version ?? 0;
}

/** Undefined when the role may write what the bot writes; rolled back either way. */
async function writeProbe(client: pg.Client): Promise<PgProbe | undefined> {
  const id = `doctor-probe-${process.pid}-${Date.now()}`;
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO requests (id, kind, status, requester_id, created_at, closed, data)
        VALUES ($1, 'attach', 'pending', 'doctor', now(), false, '{}')`,
      [id],
    );
    await client.query("INSERT INTO request_steps (request_id, idx, data) VALUES ($1, 0, '{}')", [
      id,
    ]);
    await client.query(
      "INSERT INTO request_audience (key, created_at, request_id) VALUES ('doctor', now(), $1)",
      [id],
    );
    await client.query(
      "INSERT INTO audit_events (request_id, type, at, event) VALUES ($1, 'doctor', now(), '{}')",
      [id],
    );
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '25006') return { ok: false, kind: 'read_only' };
    if (code === '42501') {
      return { ok: false, kind: 'write_denied', message: (error as Error).message };
    }
    throw error;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

function connectFailure(where: string, error: unknown, scrub: (t: string) => string): PgProbe {
  const code = String((error as { code?: unknown }).code ?? '');
  const reason = reasonOf(error, scrub);
  if (code.startsWith('28')) return { ok: false, kind: 'login_refused', where, reason };
  if (code === '3D000') return { ok: false, kind: 'no_database', where, reason };
  if (isConnectionProblem(error)) return { ok: false, kind: 'unreachable', where, reason };
  return { ok: false, kind: 'connect_failed', where, reason };
}

function reasonOf(error: unknown, scrub: (t: string) => string): PgReason {
  const code = (error as { code?: unknown }).code;
  return { ...(typeof code === 'string' ? { code } : {}), message: scrub(messageOf(error)) };
}
