import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/doctor.js';
import { enDoctor, type Words } from '../../src/doctor/i18n/en.js';
import { type PgProbe, probePostgres } from '../../src/store/pg-doctor.js';
import { SCHEMA_VERSION } from '../../src/store/pg-schema.js';
import {
  asRole,
  createMigratedDatabase,
  createTestDatabase,
  findPgServer,
  onDatabase,
  type TestDatabase,
} from '../support/pg.js';

// The doctor's Request store line with DATABASE_URL: reachable, schema version, may write.

/** A finding in the doctor's English (the catalogue types each entry by its own kind). */
const say = (probe: PgProbe): Words =>
  (enDoctor.storage.pg[probe.kind] as (p: PgProbe) => Words)(probe);

const server = await findPgServer();
let migrated: TestDatabase;
let empty: TestDatabase;
const roles: string[] = [];

beforeAll(async () => {
  if (!server.available) return;
  [migrated, empty] = await Promise.all([createMigratedDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  for (const role of roles) {
    for (const d of [migrated, empty])
      await onDatabase(d.url, (c) => c.query(`DROP OWNED BY ${role}`));
    await onDatabase(migrated.url, (c) => c.query(`DROP ROLE ${role}`));
  }
  await Promise.all([migrated?.drop(), empty?.drop()]);
});

async function role(database: TestDatabase, grants: string[]): Promise<string> {
  const name = `akb_doc_${roles.length}_${database.name.slice(-6)}`;
  roles.push(name);
  await onDatabase(database.url, async (c) => {
    await c.query(`CREATE ROLE ${name} LOGIN`);
    await c.query(`GRANT CONNECT ON DATABASE ${database.name} TO ${name}`);
    for (const grant of grants) await c.query(`${grant} TO ${name}`);
  });
  return asRole(database.url, name);
}

describe.skipIf(!server.available)('doctor on PostgreSQL', () => {
  it('passes a migrated, writable database and leaves nothing behind', async () => {
    const probe = await probePostgres(migrated.url, 2_000);
    expect(probe).toEqual({
      ok: true,
      kind: 'ready',
      where: expect.any(String),
      version: SCHEMA_VERSION,
    });
    expect(say(probe).text).toMatch(
      new RegExp(
        `schema version ${SCHEMA_VERSION}, writable \\(checked in a rolled-back transaction\\)$`,
      ),
    );
    const counts = await onDatabase(
      migrated.url,
      async (c) =>
        (
          await c.query(
            'SELECT (SELECT count(*) FROM requests)::int AS r, (SELECT count(*) FROM audit_events)::int AS a',
          )
        ).rows,
    );
    expect(counts).toEqual([{ r: 0, a: 0 }]);
  });

  it('passes a database the bot will create the schema in', async () => {
    const probe = await probePostgres(empty.url, 2_000);
    expect(probe).toMatchObject({
      ok: true,
      kind: 'migrates_at_start',
      from: 0,
      to: SCHEMA_VERSION,
    });
    expect(say(probe).text).toContain(
      `no schema yet, the bot migrates it to ${SCHEMA_VERSION} at start`,
    );
  });

  it('fails a role that may not create the schema, or may not write, with the fix', async () => {
    const cannotCreate = await role(empty, []);
    const create = await probePostgres(cannotCreate, 2_000);
    expect(create).toMatchObject({
      ok: false,
      kind: 'cannot_migrate',
      from: 0,
      to: SCHEMA_VERSION,
    });
    expect(say(create)).toEqual({
      text: expect.stringContaining('may not create tables'),
      fix: expect.stringContaining("database owner's DATABASE_URL"),
    });
    const readOnly = await role(migrated, [
      'GRANT SELECT ON requests, request_steps, audit_events, store_migrations',
    ]);
    const write = await probePostgres(readOnly, 2_000);
    expect(write).toMatchObject({ ok: false, kind: 'write_denied' });
    expect(say(write)).toEqual({
      text: expect.stringContaining("may not write the bot's tables"),
      fix: expect.stringContaining('README'),
    });
  });

  it('fails an unreachable server and a missing database, naming neither password', async () => {
    const url = new URL(asRole(migrated.url, 'postgres', 'pw-never-shown'));
    url.port = '1';
    const unreachable = await probePostgres(url.href, 2_000);
    expect(unreachable).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(say(unreachable).text).toContain('cannot reach');
    expect(JSON.stringify(unreachable)).not.toContain('pw-never-shown');
    const missing = new URL(migrated.url);
    missing.pathname = '/akb_no_such_database';
    const noDatabase = await probePostgres(missing.href, 2_000);
    expect(noDatabase).toMatchObject({ ok: false, kind: 'no_database' });
    expect(say(noDatabase).text).toContain('does not exist');
  });

  it('reports it on the Request store line, with the URL redacted from every line', async () => {
    const url = asRole(migrated.url, 'postgres', 'pw-of-the-doctor');
    const lines: string[] = [];
    await runDoctor(
      {
        SLACK_BOT_TOKEN: 'xoxb-1-2-doctor',
        SLACK_SIGNING_SECRET: 'doctor-signing',
        SLACK_API_URL: 'http://127.0.0.1:1/api/',
        VOLC_SANDBOX: 'true',
        APPROVER_USER_IDS: 'U0APPROVER',
        DATABASE_URL: url,
      },
      { timeoutMs: 2_000, write: (line) => lines.push(line) },
    );
    const store = lines.find((l) => l.includes('Request store:'));
    expect(store).toMatch(
      new RegExp(
        `^ok {3}Request store: postgres@127\\.0\\.0\\.1:\\d+/akb_test_\\w+: schema version ${SCHEMA_VERSION}`,
      ),
    );
    expect(lines.join('\n')).not.toContain('pw-of-the-doctor');
  });

  it('speaks Chinese with DEFAULT_LOCALE=zh-CN, the address and codes as they are', async () => {
    const url = asRole(migrated.url, 'postgres', 'pw-of-the-doctor');
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-1-2-doctor',
      SLACK_SIGNING_SECRET: 'doctor-signing',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
      VOLC_SANDBOX: 'true',
      APPROVER_USER_IDS: 'U0APPROVER',
      DEFAULT_LOCALE: 'zh-CN',
    };
    const lines: string[] = [];
    const options = { timeoutMs: 2_000, write: (line: string) => lines.push(line) };
    await runDoctor({ ...env, DATABASE_URL: url }, options);
    expect(lines.find((l) => l.includes('请求存储：'))).toMatch(
      new RegExp(
        `^正常 请求存储：postgres@127\\.0\\.0\\.1:\\d+/akb_test_\\w+：schema 版本 ${SCHEMA_VERSION}，可写（已在回滚的事务中验证）$`,
      ),
    );
    const closed = new URL(url);
    closed.port = '1';
    lines.length = 0;
    await runDoctor({ ...env, DATABASE_URL: closed.href }, options);
    expect(lines.find((l) => l.includes('请求存储：'))).toMatch(
      /^失败 请求存储：无法连接 postgres@127\.0\.0\.1:1\/akb_test_\w+（.*ECONNREFUSED.*）。修复：确认 PostgreSQL 正在运行/,
    );
    expect(lines.join('\n')).not.toContain('pw-of-the-doctor');
  });
});
