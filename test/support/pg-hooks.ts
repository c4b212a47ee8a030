import { afterAll, afterEach, beforeAll } from 'vitest';
import { createMigratedDatabase, type PgServer, type TestDatabase } from './pg.js';

// A migrated test database for one test file, and cleanups that run after each test (pools,
// roles, servers), so a failing test leaves no connection open. Apart from pg.ts: the benchmark
// uses that file outside vitest.

export interface PgTestFile {
  readonly database: TestDatabase;
  /** Runs after the current test, whatever its outcome; its errors are ignored. */
  defer(cleanup: () => Promise<unknown>): void;
}

export function usePgTestDatabase(server: PgServer): PgTestFile {
  let database: TestDatabase | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    if (server.available) database = await createMigratedDatabase();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup().catch(() => {})));
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('no test database: PostgreSQL is not available');
      return database;
    },
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
}
