import { generateKeyPairSync, type KeyObject } from 'node:crypto';

// Real SSH keys for the tests, made with node:crypto and written in OpenSSH's public format
// (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4): the same bytes ssh-keygen would print.

export type TestKeyKind =
  | 'ed25519'
  | 'ecdsa-256'
  | 'ecdsa-384'
  | 'ecdsa-521'
  | 'rsa-2048'
  | 'rsa-1024';

export interface TestKey {
  /** `type base64 comment`. */
  line: string;
  type: string;
  blob: string;
  /** The private half in PEM (PKCS#8), for the "pasted by mistake" tests. */
  privatePem: string;
}

const sshString = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};
const text = (s: string) => sshString(Buffer.from(s, 'latin1'));
const b64url = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
/** A positive mpint: a leading zero byte when the high bit is set. */
const mpint = (bytes: Buffer) =>
  sshString(
    bytes[0] !== undefined && bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes,
  );

export function makeTestKey(kind: TestKeyKind, comment = 'ops@example'): TestKey {
  let keys: { publicKey: KeyObject; privateKey: KeyObject };
  let type: string;
  let blob: Buffer;
  if (kind === 'ed25519') {
    keys = generateKeyPairSync('ed25519');
    type = 'ssh-ed25519';
    blob = Buffer.concat([
      text(type),
      sshString(b64url(keys.publicKey.export({ format: 'jwk' }).x)),
    ]);
  } else if (kind.startsWith('ecdsa')) {
    const bits = kind.slice('ecdsa-'.length);
    keys = generateKeyPairSync('ec', { namedCurve: `P-${bits}` });
    const jwk = keys.publicKey.export({ format: 'jwk' });
    type = `ecdsa-sha2-nistp${bits}`;
    const point = Buffer.concat([Buffer.from([4]), b64url(jwk.x), b64url(jwk.y)]);
    blob = Buffer.concat([text(type), text(`nistp${bits}`), sshString(point)]);
  } else {
    keys = generateKeyPairSync('rsa', { modulusLength: Number(kind.slice('rsa-'.length)) });
    const jwk = keys.publicKey.export({ format: 'jwk' });
    type = 'ssh-rsa';
    blob = Buffer.concat([text(type), mpint(b64url(jwk.e)), mpint(b64url(jwk.n))]);
  }
  const encoded = blob.toString('base64');
  return {
    line: comment ? `${type} ${encoded} ${comment}` : `${type} ${encoded}`,
    type,
    blob: encoded,
    privatePem: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
