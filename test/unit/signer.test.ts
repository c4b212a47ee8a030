import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  computeSignature,
  credentialScope,
  formatXDate,
  hashPayload,
  percentEncode,
  signingKey,
  signRequest,
  stringToSign,
} from '../../src/volcengine/signer.js';

interface Vector {
  id: string;
  request: {
    method: string;
    path: string;
    query: [string, string | null][];
    headers: Record<string, string>;
    body: string;
  };
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string | null };
  region: string;
  service: string;
  date: string;
  expected: {
    xDate: string;
    signedHeaders: string;
    canonicalRequest?: string;
    stringToSign?: string;
    signature: string;
    authorization: string;
  };
}

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../fixtures/volcengine-sign-vectors.json', import.meta.url), 'utf8'),
).vectors;

function inputOf(v: Vector) {
  return {
    ...v.request,
    region: v.region,
    service: v.service,
    credentials: v.credentials,
    date: new Date(v.date),
  };
}

describe('signRequest reproduces the official SDK vectors byte for byte', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(11);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const detail = computeSignature(inputOf(v));
    expect(detail.xDate).toBe(v.expected.xDate);
    expect(detail.signedHeaders).toBe(v.expected.signedHeaders);
    if (v.expected.canonicalRequest) {
      expect(detail.canonicalRequest).toBe(v.expected.canonicalRequest);
    }
    if (v.expected.stringToSign) expect(detail.stringToSign).toBe(v.expected.stringToSign);
    expect(detail.signature).toBe(v.expected.signature);

    const { headers } = signRequest(inputOf(v));
    expect(headers.Authorization).toBe(v.expected.authorization);
    expect(headers['X-Date']).toBe(v.expected.xDate);
    if (v.credentials.sessionToken) {
      expect(headers['X-Security-Token']).toBe(v.credentials.sessionToken);
    } else {
      expect(headers).not.toHaveProperty('X-Security-Token');
    }
  });
});

describe('formatXDate', () => {
  it('is UTC with second precision, even at a day boundary', () => {
    expect(formatXDate(new Date('2025-12-31T23:59:59.999Z'))).toBe('20251231T235959Z');
    expect(formatXDate(new Date('2024-05-20T08:30:45.678Z'))).toBe('20240520T083045Z');
  });
});

describe('percentEncode', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['-_.', '-_.'],
    ["!'()", '%21%27%28%29'],
    ['/+=&:?', '%2F%2B%3D%26%3A%3F'],
    ['运', '%E8%BF%90'],
    ['é', '%C3%A9'],
  ])('%j -> %s', (raw, encoded) => {
    expect(percentEncode(raw)).toBe(encoded);
  });
});

describe('canonicalQuery', () => {
  it('sorts by key in code unit order: InstanceIds.10 before InstanceIds.2', () => {
    expect(
      canonicalQuery([
        ['InstanceIds.2', 'i-b'],
        ['InstanceIds.10', 'i-j'],
        ['InstanceIds.1', 'i-a'],
        ['Action', 'AttachKeyPair'],
      ]),
    ).toBe('Action=AttachKeyPair&InstanceIds.1=i-a&InstanceIds.10=i-j&InstanceIds.2=i-b');
  });

  it('encodes spaces as %20, * as %2A, leaves ~ bare and encodes UTF-8 bytes', () => {
    expect(canonicalQuery([['K', 'a b*c~d运']])).toBe('K=a%20b%2Ac~d%E8%BF%90');
  });

  it('keeps empty values, drops null and undefined, stringifies numbers and booleans', () => {
    expect(
      canonicalQuery([
        ['Empty', ''],
        ['Null', null],
        ['Undef', undefined],
        ['MaxResults', 100],
        ['DryRun', false],
      ]),
    ).toBe('DryRun=false&Empty=&MaxResults=100');
  });

  it('gives an empty string for no parameters', () => {
    expect(canonicalQuery([])).toBe('');
  });
});

describe('canonicalHeaders', () => {
  it('lower-cases and sorts names, trims values and folds inner whitespace', () => {
    const result = canonicalHeaders({
      'X-Date': '20240520T083045Z',
      Host: '  open.volcengineapi.com ',
      'Content-Type': 'application/x-www-form-urlencoded;   charset=utf-8',
    });
    expect(result.signedHeaders).toBe('content-type;host;x-date');
    expect(result.canonical).toBe(
      'content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:open.volcengineapi.com\nx-date:20240520T083045Z\n',
    );
  });
});

describe('payload hash, scope, key chain and string to sign', () => {
  it('hashes the empty body to the well-known SHA-256', () => {
    expect(hashPayload('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('builds the scope from the short date, region and service', () => {
    expect(credentialScope('20240520', 'cn-beijing', 'ecs')).toBe(
      '20240520/cn-beijing/ecs/request',
    );
  });

  it('derives a key that depends on every link of the chain', () => {
    const base = signingKey('secret', '20240520', 'cn-beijing', 'ecs').toString('hex');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(signingKey('secret2', '20240520', 'cn-beijing', 'ecs').toString('hex')).not.toBe(base);
    expect(signingKey('secret', '20240521', 'cn-beijing', 'ecs').toString('hex')).not.toBe(base);
    expect(signingKey('secret', '20240520', 'cn-shanghai', 'ecs').toString('hex')).not.toBe(base);
    expect(signingKey('secret', '20240520', 'cn-beijing', 'vpc').toString('hex')).not.toBe(base);
  });

  it('joins the canonical request with a blank line before the signed-header list', () => {
    const text = canonicalRequest({
      method: 'get',
      path: '',
      query: 'A=1',
      canonicalHeaders: 'host:h\n',
      signedHeaders: 'host',
      payloadHash: 'abc',
    });
    expect(text).toBe('GET\n/\nA=1\nhost:h\n\nhost\nabc');
    expect(stringToSign('20240520T083045Z', 'scope', text).split('\n')).toEqual([
      'HMAC-SHA256',
      '20240520T083045Z',
      'scope',
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
  });

  it('signs its own X-Date even if the caller passes one', () => {
    const v = vectors[0];
    if (!v) throw new Error('no vectors');
    const withStale = inputOf(v);
    withStale.headers = { ...withStale.headers, 'x-date': '19990101T000000Z' };
    expect(signRequest(withStale).headers.Authorization).toBe(v.expected.authorization);
  });
});
