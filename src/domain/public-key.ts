import { createHash } from 'node:crypto';

// OpenSSH public key lines, checked for real: the blob is decoded and its own type, curve and
// sizes must agree with the line, an RSA modulus must have at least 2048 bits. The fingerprint is
// the MD5 of the blob, colon-separated hex (RFC 4716 style), as Volcengine's FingerPrint. And the
// shapes of private keys pasted by mistake, so they are refused before anything reads them.

export const PUBLIC_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;

export type PublicKeyType = (typeof PUBLIC_KEY_TYPES)[number];

export const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16_384;
const MAX_COMMENT = 200;

/** A validated public key: only `type` and `blob` ever reach an instance. */
export interface PublicKey {
  type: PublicKeyType;
  /** The key blob in base64, canonical (it decodes and encodes back to itself). */
  blob: string;
  comment?: string;
  /** RSA: the modulus size. */
  bits?: number;
  /** MD5 of the blob, `aa:bb:…` (16 pairs, lower case). */
  fingerprint: string;
}

export type PublicKeyProblem =
  | { reason: 'empty' }
  | { reason: 'multiline' }
  | { reason: 'options' }
  | { reason: 'type'; given: string }
  | { reason: 'base64' }
  | { reason: 'blob'; detail: 'type_mismatch' | 'truncated' | 'curve' | 'size' | 'trailing' }
  | { reason: 'rsa_too_short'; bits: number; min: number }
  | { reason: 'rsa_too_long'; bits: number; max: number }
  | { reason: 'comment' };

export type PublicKeyParse =
  | { ok: true; key: PublicKey }
  | { ok: false; problem: PublicKeyProblem };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Printable, no control or format characters: a comment is shown and sent, never run.
const COMMENT = /^[^\p{Cc}\p{Cf}\p{Cs}]*$/u;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const ECDSA_POINT: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

/** Reads one `type base64 [comment]` line. */
export function parsePublicKey(text: string): PublicKeyParse {
  const line = text.trim();
  if (line === '') return fail({ reason: 'empty' });
  if (/[\r\n]/.test(line)) return fail({ reason: 'multiline' });
  const [type = '', blob = '', ...rest] = line.split(/[ \t]+/);
  if (!isKeyType(type)) {
    // `from="…" ssh-ed25519 …`: authorized_keys options are not part of a public key.
    if (PUBLIC_KEY_TYPES.some((t) => line.includes(` ${t} `) || line.includes(`,${t} `))) {
      return fail({ reason: 'options' });
    }
    return fail({ reason: 'type', given: type.slice(0, 40).replace(UNPRINTABLE, '\uFFFD') });
  }
  if (!BASE64.test(blob) || blob.length % 4 !== 0) return fail({ reason: 'base64' });
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.toString('base64') !== blob) return fail({ reason: 'base64' });
  const comment = rest.join(' ');
  if (comment.length > MAX_COMMENT || !COMMENT.test(comment)) return fail({ reason: 'comment' });
  const read = readBlob(type, bytes);
  if ('problem' in read) return fail(read.problem);
  const key: PublicKey = { type, blob, fingerprint: md5Fingerprint(bytes) };
  if (comment) key.comment = comment;
  if (read.bits !== undefined) key.bits = read.bits;
  return { ok: true, key };
}

/** `type base64 [comment]`: what the registry keeps and ImportKeyPair receives. */
export function publicKeyLine(key: Pick<PublicKey, 'type' | 'blob' | 'comment'>): string {
  return key.comment ? `${key.type} ${key.blob} ${key.comment}` : `${key.type} ${key.blob}`;
}

export function md5Fingerprint(blob: Uint8Array): string {
  const hex = createHash('md5').update(blob).digest('hex');
  return hex.match(/../g)?.join(':') ?? '';
}

/** Fingerprints compare without case and without an `MD5:` prefix (ssh-keygen prints one). */
export function sameFingerprint(a: string | undefined, b: string | undefined): boolean {
  const norm = (f: string | undefined) => (f ?? '').trim().replace(/^md5:/i, '').toLowerCase();
  return norm(a) !== '' && norm(a) === norm(b);
}

export function isKeyType(type: string): type is PublicKeyType {
  return (PUBLIC_KEY_TYPES as readonly string[]).includes(type);
}

// PEM and OpenSSH private keys (any algorithm, encrypted or not, SSH2 "----" style too), PuTTY's
// .ppk, and the base64 body of an OpenSSH private key ("openssh-key-v1") without its header.
const PRIVATE_KEY_SHAPES: readonly RegExp[] = [
  /-{3,}\s*BEGIN[A-Z0-9 ]{0,40}PRIVATE\s+KEY/i,
  /PuTTY-User-Key-File-\d/i,
  /Private-Lines\s*:/i,
  /b3BlbnNzaC1rZXktdjE/,
];

/** True when the text holds anything shaped like a private key. */
export function looksLikePrivateKey(text: string): boolean {
  return PRIVATE_KEY_SHAPES.some((shape) => shape.test(text));
}

type BlobRead = { bits?: number } | { problem: PublicKeyProblem };

function readBlob(type: PublicKeyType, bytes: Buffer): BlobRead {
  const reader = sshReader(bytes);
  const declared = reader.string();
  if (declared === undefined) return { problem: { reason: 'blob', detail: 'truncated' } };
  if (declared.toString('latin1') !== type) {
    return { problem: { reason: 'blob', detail: 'type_mismatch' } };
  }
  let bits: number | undefined;
  if (type === 'ssh-ed25519') {
    const key = reader.string();
    if (!key) return { problem: { reason: 'blob', detail: 'truncated' } };
    if (key.length !== 32) return { problem: { reason: 'blob', detail: 'size' } };
  } else if (type === 'ssh-rsa') {
    const e = reader.string();
    const n = reader.string();
    if (!e || !n) return { problem: { reason: 'blob', detail: 'truncated' } };
    bits = bitLength(n);
    if (e.length === 0 || bitLength(e) < 2 || (e.at(-1) ?? 0) % 2 === 0) {
      return { problem: { reason: 'blob', detail: 'size' } };
    }
    if (bits < MIN_RSA_BITS)
      return { problem: { reason: 'rsa_too_short', bits, min: MIN_RSA_BITS } };
    if (bits > MAX_RSA_BITS)
      return { problem: { reason: 'rsa_too_long', bits, max: MAX_RSA_BITS } };
  } else {
    const curve = reader.string();
    const point = reader.string();
    if (!curve || !point) return { problem: { reason: 'blob', detail: 'truncated' } };
    const name = curve.toString('latin1');
    if (`ecdsa-sha2-${name}` !== type) return { problem: { reason: 'blob', detail: 'curve' } };
    if (point.length !== ECDSA_POINT[name] || point[0] !== 4) {
      return { problem: { reason: 'blob', detail: 'size' } };
    }
  }
  if (!reader.done()) return { problem: { reason: 'blob', detail: 'trailing' } };
  return bits === undefined ? {} : { bits };
}

/** RFC 4251 strings: a 32-bit big-endian length, then that many bytes. */
function sshReader(bytes: Buffer) {
  let at = 0;
  return {
    string(): Buffer | undefined {
      if (at + 4 > bytes.length) return undefined;
      const length = bytes.readUInt32BE(at);
      if (at + 4 + length > bytes.length) return undefined;
      const value = bytes.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      return value;
    },
    done: () => at === bytes.length,
  };
}

/** Bits of an unsigned big-endian mpint (a leading 0x00 byte only marks it positive). */
function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i += 1;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (mpint[i] as number).toString(2).length;
}

const fail = (problem: PublicKeyProblem): PublicKeyParse => ({ ok: false, problem });
