import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPgDatabase } from '../../src/store/pg-connection.js';
import { migrate } from '../../src/store/pg-schema.js';

// PostgreSQL for the store tests: TEST_DATABASE_URL, or the local server at 127.0.0.1:5432 (the
// project's machines run one there with trust auth). Each test file creates its own database,
// akb_test_<random>, and drops it at the end. Without a server the tests are skipped with a line
// saying how to start one, except under CI=true, where they fail: CI must run them.

const SERVER_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export const HOW_TO_START =
  'start one with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or set TEST_DATABASE_URL=postgres://user@host:port/db (a role that may CREATE DATABASE)';

export interface PgServer {
  available: boolean;
  /** Why the PostgreSQL tests are skipped. */
  reason: string;
}

/** Whether a server answers; throws under CI=true when none does. */
export async function findPgServer(): Promise<PgServer> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true, reason: '' };
  } catch (error) {
    const reason = `no PostgreSQL server at ${safe(SERVER_URL)} (${(error as Error).message}): ${HOW_TO_START}`;
    if (process.env.CI === 'true') {
      throw new Error(`CI=true: the PostgreSQL tests must run, but there is ${reason}`);
    }
    process.stderr.write(`PostgreSQL tests skipped: ${reason}\n`);
    return { available: false, reason };
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `akb_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async drop() {
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A test database with the store's schema in it. */
export async function createMigratedDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const db = openPgDatabase(database.url);
  try {
    await migrate(db);
  } finally {
    await db.release();
  }
  return database;
}

/** A statement on the test server's own database (as the admin role). */
export async function onServer<T>(task: (client: pg.Client) => Promise<T>): Promise<T> {
  return onDatabase(SERVER_URL, task);
}

export async function onDatabase<T>(
  url: string,
  task: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same database as another role (trust auth on the local server). */
export function asRole(url: string, role: string, password?: string): string {
  const copy = new URL(url);
  copy.username = role;
  copy.password = password ?? '';
  return copy.href;
}

function safe(url: string): string {
  const copy = new URL(url);
  copy.password = copy.password ? '***' : '';
  return copy.href;
}
