import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  looksLikePrivateKey,
  parsePublicKey,
  publicKeyLine,
  sameFingerprint,
} from '../../src/domain/public-key.js';
import { makeTestKey, type TestKeyKind } from '../support/ssh-keys.js';

// Public key lines checked for real, the MD5 fingerprint as ssh-keygen (and Volcengine) give it,
// and private keys recognised in every shape they are pasted in.

const dir = mkdtempSync(join(tmpdir(), 'akb-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `ssh-keygen -l -E md5` of a public key line: `MD5:aa:bb:…`. */
function sshKeygenMd5(line: string): string {
  const file = join(dir, `k${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${line}\n`);
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', file], { encoding: 'utf8' });
  return /MD5:([0-9a-f:]+)/.exec(out)?.[1] ?? '';
}

describe('parsePublicKey', () => {
  it.each(['ed25519', 'ecdsa-256', 'ecdsa-384', 'ecdsa-521', 'rsa-2048'] as TestKeyKind[])(
    'reads a real %s key with the fingerprint ssh-keygen prints',
    (kind) => {
      const key = makeTestKey(kind, 'dana@laptop, work key');
      const parsed = parsePublicKey(`  ${key.line}\n`);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problem));
      expect(parsed.key.type).toBe(key.type);
      expect(parsed.key.blob).toBe(key.blob);
      expect(parsed.key.comment).toBe('dana@laptop, work key');
      expect(parsed.key.fingerprint).toBe(sshKeygenMd5(key.line));
      expect(parsed.key.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
      if (kind === 'rsa-2048') expect(parsed.key.bits).toBe(2048);
      expect(publicKeyLine(parsed.key)).toBe(key.line);
    },
  );

  it('takes a key without a comment', () => {
    const key = makeTestKey('ed25519', '');
    const parsed = parsePublicKey(key.line);
    expect(parsed.ok && parsed.key.comment).toBeUndefined();
  });

  it('refuses an RSA key under 2048 bits, saying how many it has', () => {
    const parsed = parsePublicKey(makeTestKey('rsa-1024').line);
    expect(parsed).toEqual({
      ok: false,
      problem: { reason: 'rsa_too_short', bits: 1024, min: 2048 },
    });
  });

  it('refuses what is not one public key line, naming why', () => {
    const ed = makeTestKey('ed25519');
    const [, blob] = ed.line.split(' ');
    const reason = (text: string) => {
      const parsed = parsePublicKey(text);
      return parsed.ok ? 'ok' : parsed.problem.reason;
    };
    expect(reason('')).toBe('empty');
    expect(reason(`ssh-ed25519 ${blob}\nssh-ed25519 ${blob}`)).toBe('multiline');
    expect(reason(`from="10.0.0.1" ssh-ed25519 ${blob} x`)).toBe('options');
    expect(reason(`ssh-dss ${blob}`)).toBe('type');
    expect(reason('ssh-ed25519 not*base64')).toBe('base64');
    expect(reason(`ssh-ed25519 ${blob?.slice(0, -4)}`)).toBe('blob');
    // The blob of an ed25519 key under the rsa type: the data names another type.
    expect(parsePublicKey(`ssh-rsa ${blob}`)).toEqual({
      ok: false,
      problem: { reason: 'blob', detail: 'type_mismatch' },
    });
    expect(reason(`ssh-ed25519 ${blob} bad\u0007comment`)).toBe('comment');
    expect(reason(`ssh-ed25519 ${blob} ${'c'.repeat(201)}`)).toBe('comment');
  });

  it('compares fingerprints without case and without the MD5: prefix', () => {
    expect(sameFingerprint('MD5:AA:bb', 'aa:BB')).toBe(true);
    expect(sameFingerprint('aa:bb', 'aa:bc')).toBe(false);
    expect(sameFingerprint('', '')).toBe(false);
    expect(sameFingerprint(undefined, 'aa')).toBe(false);
  });
});

describe('looksLikePrivateKey', () => {
  const keygen = (type: string, format?: string) => {
    const file = join(
      dir,
      `id_${type}_${format ?? 'openssh'}_${Math.random().toString(36).slice(2)}`,
    );
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type,
      '-N',
      '',
      '-C',
      'x',
      '-f',
      file,
      ...(format ? ['-m', format] : []),
    ]);
    return readFileSync(file, 'utf8');
  };

  it.each([
    ['OpenSSH ed25519', () => keygen('ed25519')],
    ['OpenSSH rsa', () => keygen('rsa')],
    ['PEM rsa (PKCS#1)', () => keygen('rsa', 'PEM')],
    ['PKCS#8', () => makeTestKey('ecdsa-256').privatePem],
    ['PEM ec', () => keygen('ecdsa', 'PEM')],
    [
      'PuTTY',
      () =>
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\nAAAAC3Nz\nPrivate-Lines: 1\nAAAAIE\nPrivate-MAC: 0011',
    ],
    ['SSH2 encrypted', () => '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nP2/56wAAA\n---- END'],
  ])('recognises a %s private key, on its lines or run together on one', (_name, make) => {
    const text = make();
    expect(looksLikePrivateKey(text)).toBe(true);
    expect(looksLikePrivateKey(`import mykey ${text.replace(/\n/g, ' ')}`)).toBe(true);
  });

  it('recognises an OpenSSH private key body pasted without its header', () => {
    const body = keygen('ed25519').split('\n').slice(1, -2).join('');
    expect(looksLikePrivateKey(body)).toBe(true);
  });

  it('does not take a public key for a private one', () => {
    for (const kind of ['ed25519', 'ecdsa-256', 'rsa-2048'] as TestKeyKind[]) {
      expect(looksLikePrivateKey(makeTestKey(kind).line)).toBe(false);
    }
  });
});
