import { createHash } from 'node:crypto';
import { computeSignature } from '../../src/volcengine/signer.js';

// The fake ECS API's gateway check: every signature verified with the project's own signer,
// against fixed credentials or a lookup (temporary keys issued by a fake STS, say).

export interface FakeEcsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The secret (and the session token it must come with) of an access key; undefined: unknown. */
export type FakeEcsCredentialLookup = (
  accessKeyId: string,
) => { secretAccessKey: string; sessionToken?: string } | undefined;

export type AuthCheck = { ok: true } | { ok: false; code: string; reason: string };

export interface SignedCall {
  method: string;
  path: string;
  pairs: Array<[string, string]>;
  /** Lower-cased names. */
  headers: Record<string, string>;
}

/** What the Authorization header's credential scope says, for the call record. */
export interface ScopeFacts {
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function verifySignature(
  call: SignedCall,
  body: string,
  credentials: FakeEcsCredentials | FakeEcsCredentialLookup,
  onScope: (facts: ScopeFacts) => void,
): AuthCheck {
  const h = call.headers;
  const authorization = h.authorization;
  if (!authorization) return deny('MissingAuthenticationToken', 'No Authorization header');
  const m =
    /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!m) return deny('SignatureDoesNotMatch', 'The Authorization header is malformed');
  const [, accessKeyId = '', shortDate = '', region = '', service = '', signedHeaders = ''] = m;
  onScope({ accessKeyId, region, service, signedHeaders });
  const xDate = h['x-date'];
  const date = xDate ? parseXDate(xDate) : undefined;
  if (!xDate || !date) return deny('MissingRequestInfo', 'X-Date is missing or malformed');
  if (xDate.slice(0, 8) !== shortDate) {
    return deny('SignatureDoesNotMatch', 'Credential scope date differs from X-Date');
  }
  const known =
    typeof credentials === 'function'
      ? credentials(accessKeyId)
      : accessKeyId === credentials.accessKeyId
        ? credentials
        : undefined;
  if (!known) return deny('InvalidAccessKey', 'The access key id does not exist');
  const names = signedHeaders.split(';');
  const expectedToken = known.sessionToken;
  if (
    expectedToken &&
    (h['x-security-token'] !== expectedToken || !names.includes('x-security-token'))
  ) {
    return deny('InvalidAccessKey', 'The security token is missing or invalid');
  }
  if (h['x-content-sha256'] !== undefined && h['x-content-sha256'] !== sha256(body)) {
    return deny('SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body');
  }
  const signed: Record<string, string> = {};
  for (const name of names) {
    if (name === 'x-date' || name === 'x-security-token') continue;
    signed[name] = h[name] ?? '';
  }
  const token = names.includes('x-security-token') ? h['x-security-token'] : undefined;
  const expected = computeSignature({
    method: call.method,
    path: call.path,
    query: call.pairs,
    headers: signed,
    body,
    region,
    service,
    credentials: {
      accessKeyId,
      secretAccessKey: known.secretAccessKey,
      sessionToken: token ?? null,
    },
    date,
  });
  if (expected.signedHeaders !== signedHeaders || expected.authorization !== authorization) {
    return deny('SignatureDoesNotMatch', 'The request signature we calculated does not match');
  }
  return { ok: true };
}

function deny(code: string, reason: string): AuthCheck {
  return { ok: false, code, reason };
}

function parseXDate(xDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
}

function sha256(text: string): string {
  return text === '' ? EMPTY_SHA256 : createHash('sha256').update(text, 'utf8').digest('hex');
}
