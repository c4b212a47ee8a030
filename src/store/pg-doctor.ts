import pg from 'pg';
import { describeUrl, isConnectionProblem, messageOf, scrubberFor } from './pg-connection.js';
import { SCHEMA_VERSION } from './pg-schema.js';

// `npm run doctor` on a DATABASE_URL: can the bot connect, which schema version is there, and may
// it write (an INSERT into each table it writes, inside a transaction that is rolled back, so the
// check leaves nothing behind). Each problem comes with what to do.

export type PgProbe = { ok: true; detail: string } | { ok: false; what: string; fix: string };

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
      return {
        ok: false,
        what: `${where} has schema version ${version}, from a newer bot (this one knows ${SCHEMA_VERSION})`,
        fix: 'run the newer version of the bot, or point DATABASE_URL at another database',
      };
    }
    if (version < SCHEMA_VERSION) {
      const { rows } = await client.query<{ allowed: boolean }>(
        "SELECT has_schema_privilege(current_schema(), 'CREATE') AS allowed",
      );
      const from = version === 0 ? 'no schema yet' : `schema version ${version}`;
      if (rows[0]?.allowed !== true) {
        return {
          ok: false,
          what: `${where} has ${from} and this role may not create tables to migrate it to ${SCHEMA_VERSION}`,
          fix: "start the bot once with the database owner's DATABASE_URL (README: PostgreSQL)",
        };
      }
      return {
        ok: true,
        detail: `${where} reachable; ${from}, the bot migrates it to ${SCHEMA_VERSION} at start`,
      };
    }
    const denied = await writeProbe(client);
    if (denied) return denied;
    return {
      ok: true,
      detail: `${where}: schema version ${version}, writable (checked in a rolled-back transaction)`,
    };
  } catch (error) {
    return {
      ok: false,
      what: `${where} answered with an error: ${describe(error, scrub)}`,
      fix: 'check DATABASE_URL and the role’s privileges (README: PostgreSQL)',
    };
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
      "INSERT INTO audit_events (request_id, type, at, event) VALUES ($1, 'doctor', now(), '{}')",
      [id],
    );
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '25006') {
      return {
        ok: false,
        what: 'the server is read-only (a standby)',
        fix: 'point DATABASE_URL at the primary',
      };
    }
    if (code === '42501') {
      return {
        ok: false,
        what: `this role may not write the bot's tables (${(error as Error).message})`,
        fix: 'grant it what the README lists under PostgreSQL',
      };
    }
    throw error;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

function connectFailure(where: string, error: unknown, scrub: (t: string) => string): PgProbe {
  const code = String((error as { code?: unknown }).code ?? '');
  const reason = describe(error, scrub);
  if (code.startsWith('28')) {
    return {
      ok: false,
      what: `${where} refused the login (${reason})`,
      fix: 'check the user and password in DATABASE_URL (and pg_hba.conf on the server)',
    };
  }
  if (code === '3D000') {
    return {
      ok: false,
      what: `the database in DATABASE_URL does not exist on ${where} (${reason})`,
      fix: 'create it (CREATE DATABASE …) or correct the name in DATABASE_URL',
    };
  }
  if (isConnectionProblem(error)) {
    return {
      ok: false,
      what: `cannot reach ${where} (${reason})`,
      fix: 'check that PostgreSQL is running and the host and port in DATABASE_URL',
    };
  }
  return { ok: false, what: `cannot connect to ${where} (${reason})`, fix: 'check DATABASE_URL' };
}

function describe(error: unknown, scrub: (t: string) => string): string {
  const code = (error as { code?: unknown }).code;
  return scrub(`${typeof code === 'string' ? `${code}: ` : ''}${messageOf(error) || 'no answer'}`);
}
