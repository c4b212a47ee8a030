import { createHash, createHmac } from 'node:crypto';

// Volcengine OpenAPI request signing (HMAC-SHA256, "V4"), as the official SDK signers do it.
// Small pure steps composed by signRequest; each step is exported so it can be tested alone.

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface SignInput {
  method: string;
  path: string;
  query: ReadonlyArray<readonly [string, QueryValue]>;
  headers: Readonly<Record<string, string>>;
  body: string;
  region: string;
  service: string;
  credentials: SigningCredentials;
  date: Date;
}

export interface SignOutput {
  headers: Record<string, string>;
}

const ALGORITHM = 'HMAC-SHA256';

/** UTC `YYYYMMDDTHHMMSSZ`, second precision. */
export function formatXDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay bare; hex upper-case. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Sorted `key=value` pairs joined by `&`. Null/undefined values are dropped (as the Node signer
 * does), empty strings kept as `key=`. Keys sort by code unit; equal keys by encoded value.
 */
export function canonicalQuery(query: SignInput['query']): string {
  const pairs: Array<[string, string, string]> = [];
  for (const [key, value] of query) {
    if (value === null || value === undefined) continue;
    pairs.push([key, percentEncode(key), percentEncode(String(value))]);
  }
  pairs.sort((a, b) => compare(a[0], b[0]) || compare(a[2], b[2]));
  return pairs.map(([, key, value]) => `${key}=${value}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lower-cased, sorted header names and their `name:value` lines (value trimmed, spaces folded). */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): {
  canonical: string;
  signedHeaders: string;
} {
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), foldHeaderValue(value)] as const)
    .sort((a, b) => compare(a[0], b[0]));
  return {
    canonical: entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders: entries.map(([name]) => name).join(';'),
  };
}

function foldHeaderValue(value: string): string {
  return String(value).replace(/\s+/g, ' ').trim();
}

export function hashPayload(body: string): string {
  return sha256Hex(body);
}

export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/request`;
}

/** HMAC chain from the raw secret: date -> region -> service -> "request". */
export function signingKey(
  secretAccessKey: string,
  shortDate: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(secretAccessKey, shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'request');
}

export function canonicalRequest(parts: {
  method: string;
  path: string;
  query: string;
  canonicalHeaders: string;
  signedHeaders: string;
  payloadHash: string;
}): string {
  return [
    parts.method.toUpperCase(),
    parts.path || '/',
    parts.query,
    parts.canonicalHeaders,
    parts.signedHeaders,
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(xDate: string, scope: string, canonicalRequestText: string): string {
  return [ALGORITHM, xDate, scope, sha256Hex(canonicalRequestText)].join('\n');
}

/** Every intermediate of a signature; signRequest returns only the headers, tests read the rest. */
export function computeSignature(input: SignInput): {
  xDate: string;
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
  authorization: string;
  headers: Record<string, string>;
} {
  const xDate = formatXDate(input.date);
  const shortDate = xDate.slice(0, 8);
  const added: Record<string, string> = { 'X-Date': xDate };
  const token = input.credentials.sessionToken;
  if (token) added['X-Security-Token'] = token;

  const toSign = withoutNames(input.headers, Object.keys(added));
  const { canonical, signedHeaders } = canonicalHeaders({ ...toSign, ...added });
  const canonicalRequestText = canonicalRequest({
    method: input.method,
    path: input.path,
    query: canonicalQuery(input.query),
    canonicalHeaders: canonical,
    signedHeaders,
    payloadHash: hashPayload(input.body),
  });
  const scope = credentialScope(shortDate, input.region, input.service);
  const toSignText = stringToSign(xDate, scope, canonicalRequestText);
  const key = signingKey(input.credentials.secretAccessKey, shortDate, input.region, input.service);
  const signature = hmac(key, toSignText).toString('hex');
  const authorization = `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return {
    xDate,
    canonicalRequest: canonicalRequestText,
    stringToSign: toSignText,
    signedHeaders,
    signature,
    authorization,
    headers: { Authorization: authorization, ...added },
  };
}

/**
 * Signs every header given plus X-Date (and X-Security-Token with a session token) and returns the
 * headers to add to the request: Authorization, X-Date, X-Security-Token when used.
 */
export function signRequest(input: SignInput): SignOutput {
  return { headers: computeSignature(input).headers };
}

// A caller-supplied X-Date or X-Security-Token would be signed twice under two spellings; ours win.
function withoutNames(
  headers: Readonly<Record<string, string>>,
  names: string[],
): Record<string, string> {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !drop.has(name.toLowerCase())),
  );
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
