import pg from 'pg';
import { STORE_UNAVAILABLE } from '../service/ports.js';
import { StoreError } from './store-error.js';

// One pool per process for the store and the audit trail. Reachability problems (refused,
// reset, timed out, server shutting down, authentication, a read-only standby) become
// STORE_UNAVAILABLE; the pool drops broken connections and opens new ones when the server is back,
// so nothing here ever exits the process. No error or message carries the password.

export interface PgOptions {
  /** How long to wait for a connection before the store counts as unavailable; default 5 s. */
  connectTimeoutMs?: number;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Server-side bound of one statement, lock waits included; default 30 s. */
  statementTimeoutMs?: number;
  /** How long ping() waits before it answers false (a health check must answer fast); 2 s. */
  pingTimeoutMs?: number;
  /** Errors of idle connections (the server went away); already scrubbed of the password. */
  onError?: (error: Error) => void;
}

export interface PgDatabase {
  readonly pool: pg.Pool;
  readonly pingTimeoutMs: number;
  /** `host:port/database`, for messages. */
  readonly where: string;
  /** The error a store method rejects with. */
  toStoreError(error: unknown): StoreError;
  /** A password-free copy of any text. */
  scrub(text: string): string;
  /** Ends the pool once every user of it has let go. */
  release(): Promise<void>;
  /** Another user of the same pool. */
  share(): PgDatabase;
}

export function openPgDatabase(url: string, options: PgOptions = {}): PgDatabase {
  const scrub = scrubberFor(url);
  const where = describeUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'attach-key-bot',
  });
  // An idle connection whose server went away: the pool discards it; without a listener the
  // 'error' event would crash the process.
  pool.on('error', (error) => options.onError?.(scrubbed(error, scrub)));
  let users = 1;
  let ended: Promise<void> | undefined;
  const database = (): PgDatabase => ({
    pool,
    pingTimeoutMs: options.pingTimeoutMs ?? 2_000,
    where,
    scrub,
    toStoreError: (error) => toStoreError(error, where, scrub),
    async release() {
      users--;
      if (users > 0) return;
      ended ??= pool.end().catch(() => {});
      await ended;
    },
    share() {
      users++;
      return database();
    },
  });
  return database();
}

/** `user@host:port/database` of a postgres:// URL, never its password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    // libpq's socket form keeps the host in the query: postgresql:///db?host=/var/run/postgresql
    const host = parsed.host || parsed.searchParams.get('host') || 'localhost';
    return `${user}${host}${parsed.pathname || '/'}`;
  } catch {
    return 'the DATABASE_URL server';
  }
}

/** Every form of the URL's password (as written and decoded) and the URL itself, redacted. */
export function scrubberFor(url: string): (text: string) => string {
  const secrets = new Set<string>([url]);
  try {
    const password = new URL(url).password;
    if (password) {
      secrets.add(password);
      secrets.add(decodeURIComponent(password));
    }
  } catch {
    // Not a URL: the whole text is the secret.
  }
  const literal = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of literal) out = out.split(secret).join('[redacted]');
    return out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1[redacted]@');
  };
}

// SQLSTATE classes of an unreachable or unusable server: 08 connection exception, 53
// insufficient resources (too many connections), 57 operator intervention (shutdown, cancel,
// cannot connect now), 28 authentication, 3D the database does not exist; 25006 a read-only
// standby (after a failover, before the address moves).
const UNAVAILABLE_CLASSES = ['08', '53', '57', '28', '3D'];
const UNAVAILABLE_STATES = new Set(['25006']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Connection ended|Query read timeout|Cannot use a pool after calling end/i;

export function isConnectionProblem(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_CLASSES.includes(code.slice(0, 2));
  }
  return CONNECTION_MESSAGES.test(messageOf(error));
}

function toStoreError(error: unknown, where: string, scrub: (t: string) => string): StoreError {
  if (error instanceof StoreError) return error;
  const cause = scrubbed(error, scrub);
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = `${typeof code === 'string' ? `${code}: ` : ''}${cause.message}`;
  if (isConnectionProblem(error)) {
    return new StoreError(
      STORE_UNAVAILABLE,
      `The PostgreSQL request store ${where} cannot be reached (${reason}). The bot keeps trying; check that the server is up and DATABASE_URL is right.`,
      { cause },
    );
  }
  return new StoreError(
    'store_query_failed',
    `PostgreSQL ${where} refused a request store statement (${reason}).`,
    { cause },
  );
}

/** The message, or its first inner one (a failed connect to every address is an AggregateError). */
export function messageOf(error: unknown): string {
  const inner = (error as { errors?: unknown } | undefined)?.errors;
  const message = error instanceof Error ? error.message : String(error);
  if (message || !Array.isArray(inner) || inner.length === 0) return message;
  return messageOf(inner[0]);
}

/** A copy with the message scrubbed and the code kept: the original may not be logged. */
function scrubbed(error: unknown, scrub: (t: string) => string): Error {
  const message = scrub(messageOf(error));
  const copy = new Error(message);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** A pooled connection for one task; any error destroys it rather than returning it. */
export async function withClient<T>(
  db: PgDatabase,
  task: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw db.toStoreError(error);
  }
  // While checked out, the pool does not listen for the socket dying: we must, or the process
  // would crash on the 'error' event. The query in flight fails with it as well.
  const onError = () => {};
  client.on('error', onError);
  let failed = false;
  try {
    return await task(client);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(failed);
  }
}

/** BEGIN, the task, COMMIT; ROLLBACK when the task throws. */
export function inTransaction<T>(
  db: PgDatabase,
  task: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(db, async (client) => {
    await run(db, client, 'BEGIN');
    let result: T;
    try {
      result = await task(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    await run(db, client, 'COMMIT');
    return result;
  });
}

/** One statement; its errors become StoreErrors (those of the caller's code pass untouched). */
export async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: PgDatabase,
  on: pg.Pool | pg.PoolClient,
  text: string | pg.QueryConfig,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await on.query<R>(text as string, values);
  } catch (error) {
    throw db.toStoreError(error);
  }
}

/**
 * A SQL literal. Statements sent together as one text (one round trip instead of one each) cannot
 * take parameters, so they carry their values so: E'' quoting escapes backslashes and quotes,
 * whatever standard_conforming_strings says.
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`Not a SQL number: ${value}`);
    return String(value);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A statement whose interpolations become literals: sql`... WHERE id = ${id}`. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += literal(value) + (strings[i + 1] ?? '');
  });
  return text;
}

/** Several statements in one round trip (the simple query protocol); one result each. */
export async function script(
  db: PgDatabase,
  client: pg.PoolClient,
  statements: readonly string[],
): Promise<pg.QueryResult[]> {
  const result = await run(db, client, statements.join(';\n'));
  return Array.isArray(result) ? (result as pg.QueryResult[]) : [result];
}
