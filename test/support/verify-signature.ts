import { createHash } from 'node:crypto';
import { computeSignature } from '../../src/volcengine/signer.js';

// Checks a Volcengine V4 signature the way a gateway would, with the project's own signer: the
// caller says which access key ids exist and what their secret and session token are.

export interface KnownKey {
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; a request signed at or after it is refused (temporary credentials). */
  expiresAt?: number;
}

export type KeyResolver = (accessKeyId: string) => KnownKey | undefined;

export type SignatureCheck =
  | {
      ok: true;
      accessKeyId: string;
      region: string;
      service: string;
      signedHeaders: string;
      /** X-Date as a Date. */
      signedAt: Date;
      sessionToken?: string;
    }
  | { ok: false; code: string; reason: string; accessKeyId?: string; service?: string };

export interface SignedRequest {
  method: string;
  path: string;
  /** Decoded query pairs. */
  pairs: Array<[string, string]>;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  body: string;
}

const PATTERN =
  /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export function verifySignature(req: SignedRequest, resolve: KeyResolver): SignatureCheck {
  const h = req.headers;
  const authorization = h.authorization;
  if (!authorization) return deny('MissingAuthenticationToken', 'No Authorization header');
  const m = PATTERN.exec(authorization);
  if (!m) return deny('SignatureDoesNotMatch', 'The Authorization header is malformed');
  const [, accessKeyId = '', shortDate = '', region = '', service = '', signedHeaders = ''] = m;
  const seen = { accessKeyId, service };
  const xDate = h['x-date'];
  const signedAt = xDate ? parseXDate(xDate) : undefined;
  if (!xDate || !signedAt) return deny('MissingRequestInfo', 'X-Date is missing or malformed');
  if (xDate.slice(0, 8) !== shortDate) {
    return deny('SignatureDoesNotMatch', 'Credential scope date differs from X-Date', seen);
  }
  const key = resolve(accessKeyId);
  if (!key) return deny('InvalidAccessKey', 'The access key id does not exist', seen);
  const names = signedHeaders.split(';');
  const token = names.includes('x-security-token') ? h['x-security-token'] : undefined;
  if (key.sessionToken !== undefined && token !== key.sessionToken) {
    return deny('InvalidAccessKey', 'The security token is missing or invalid', seen);
  }
  if (key.expiresAt !== undefined && signedAt.getTime() >= key.expiresAt) {
    return deny('InvalidAccessKey', 'The security token has expired', seen);
  }
  if (h['x-content-sha256'] !== undefined && h['x-content-sha256'] !== sha256(req.body)) {
    return deny('SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body', seen);
  }
  const signed: Record<string, string> = {};
  for (const name of names) {
    if (name !== 'x-date' && name !== 'x-security-token') signed[name] = h[name] ?? '';
  }
  const expected = computeSignature({
    method: req.method,
    path: req.path,
    query: req.pairs,
    headers: signed,
    body: req.body,
    region,
    service,
    credentials: { accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: token ?? null },
    date: signedAt,
  });
  if (expected.signedHeaders !== signedHeaders || expected.authorization !== authorization) {
    return deny(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match',
      seen,
    );
  }
  return {
    ok: true,
    accessKeyId,
    region,
    service,
    signedHeaders,
    signedAt,
    ...(token !== undefined ? { sessionToken: token } : {}),
  };
}

/** Decoded pairs of a raw query string, in wire order. */
export function parseQuery(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return raw.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    return [decode(key), decode(value)];
  });
}

/** `InstanceIds.N` (or any `Prefix.N`) values in N order. */
export function numberedValues(pairs: Array<[string, string]>, prefix: string): string[] {
  return pairs
    .map(([k, v]) => [new RegExp(`^${prefix}\\.(\\d+)$`).exec(k)?.[1], v] as const)
    .filter((e): e is readonly [string, string] => e[0] !== undefined)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, v]) => v);
}

function deny(
  code: string,
  reason: string,
  seen: { accessKeyId?: string; service?: string } = {},
): SignatureCheck {
  return { ok: false, code, reason, ...seen };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parseXDate(xDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
