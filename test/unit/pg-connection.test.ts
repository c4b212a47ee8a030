import { describe, expect, it } from 'vitest';
import {
  describeUrl,
  isConnectionProblem,
  literal,
  scrubberFor,
  sql,
} from '../../src/store/pg-connection.js';

// The pure parts of the PostgreSQL connection: literals, redaction, what counts as unreachable.
// That literals round-trip through a real server is in the store contract.

describe('literal and sql', () => {
  it('quotes text with E-string escapes for backslashes and quotes', () => {
    expect(literal("it's")).toBe("E'it''s'");
    expect(literal('back\\slash')).toBe("E'back\\\\slash'");
    expect(literal("\\'; DROP TABLE requests; --")).toBe("E'\\\\''; DROP TABLE requests; --'");
  });

  it('writes null, booleans, numbers and JSON', () => {
    expect([literal(null), literal(undefined), literal(true), literal(false), literal(42)]).toEqual(
      ['NULL', 'NULL', 'TRUE', 'FALSE', '42'],
    );
    expect(literal({ a: "b'c" })).toBe(`E'{"a":"b''c"}'`);
    expect(() => literal(Number.NaN)).toThrow(RangeError);
  });

  it('interpolates literals into a statement', () => {
    expect(sql`SELECT 1 FROM requests WHERE id = ${"x'y"} AND idx >= ${3}`).toBe(
      "SELECT 1 FROM requests WHERE id = E'x''y' AND idx >= 3",
    );
  });
});

describe('scrubberFor and describeUrl', () => {
  it('redacts the password as written and decoded, and the URL itself', () => {
    const url = 'postgres://bot:p%40ss%2Fw0rd@db.internal:5432/akb';
    const scrub = scrubberFor(url);
    expect(scrub(`connect to ${url} failed`)).toBe('connect to [redacted] failed');
    expect(scrub('auth p@ss/w0rd and p%40ss%2Fw0rd')).toBe('auth [redacted] and [redacted]');
    expect(scrub('other postgresql://u:secret@h/d')).toBe('other postgresql://u:[redacted]@h/d');
  });

  it('describes a URL as user@host:port/database, never its password', () => {
    expect(describeUrl('postgres://bot:secret@db.internal:5432/akb')).toBe(
      'bot@db.internal:5432/akb',
    );
    expect(describeUrl('postgresql:///akb?host=/var/run/postgresql')).toBe(
      '/var/run/postgresql/akb',
    );
    expect(describeUrl('not a url')).toBe('the DATABASE_URL server');
  });
});

describe('isConnectionProblem', () => {
  it.each([
    ['refused', { code: 'ECONNREFUSED' }],
    ['reset', { code: 'ECONNRESET' }],
    ['admin shutdown', { code: '57P01' }],
    ['too many connections', { code: '53300' }],
    ['bad password', { code: '28P01' }],
    ['no such database', { code: '3D000' }],
    ['read-only standby', { code: '25006' }],
    ['connection failure', { code: '08006' }],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('counts %s as unavailable', (_what, error) => {
    expect(isConnectionProblem(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: '23505' }],
    ['a syntax error', { code: '42601' }],
    ['missing privileges', { code: '42501' }],
    ['a plain bug', new TypeError('x is undefined')],
  ])('does not count %s', (_what, error) => {
    expect(isConnectionProblem(error)).toBe(false);
  });
});
