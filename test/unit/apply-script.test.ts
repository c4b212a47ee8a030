import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ApplyScriptInput,
  applyScriptEffect,
  readApplyScript,
  readScriptResult,
  renderApplyScript,
} from '../../src/domain/apply-script.js';
import type { PublicKeyType } from '../../src/domain/public-key.js';
import { makeTestKey } from '../support/ssh-keys.js';

// The apply-now script, run for real with bash against a temporary home directory (as whichever
// user runs the tests): append, already present, missing ~/.ssh, permissions, removal of the
// replaced key's exact line, other lines untouched, and a second run changing nothing. Each run
// is also held to the model the simulator applies (applyScriptEffect).

const root = mkdtempSync(join(tmpdir(), 'akb-script-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const asKey = (k: { type: string; blob: string }) => ({
  type: k.type as PublicKeyType,
  blob: k.blob,
});
const NEW = makeTestKey('ed25519', 'new@ops');
const OLD = makeTestKey('ecdsa-256', 'old@ops');
const OTHER = makeTestKey('ed25519', 'someone-else');

interface Run {
  home: string;
  file: string;
  output: string;
  status: number;
}

function freshHome(): string {
  return mkdtempSync(join(root, 'home-'));
}

function run(home: string, input: ApplyScriptInput): Run {
  const script = renderApplyScript(input);
  const file = join(home, '.ssh', 'authorized_keys');
  try {
    const output = execFileSync('bash', ['-c', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { home, file, output, status: 0 };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { home, file, output: `${e.stdout}${e.stderr}`, status: e.status };
  }
}

const input = (replaces?: { type: string; blob: string }): ApplyScriptInput => ({
  requestId: 'ak-test0001',
  key: asKey(NEW),
  ...(replaces ? { replaces: asKey(replaces) } : {}),
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** bash's result on `before` equals the model's, file and output alike. */
function expectModel(before: string | undefined, after: Run, used: ApplyScriptInput) {
  const model = applyScriptEffect(before, used);
  expect(readFileSync(after.file, 'utf8')).toBe(model.file);
  expect(readScriptResult(after.output)).toEqual(model.result);
}

describe('the apply-now script under bash', () => {
  it('creates ~/.ssh (700) and authorized_keys (600) when missing, with the key and its marker', () => {
    const home = freshHome();
    const first = run(home, input());
    expect(first.status).toBe(0);
    expect(first.output.trim()).toBe('attach-key-bot: added removed=0');
    expect(mode(join(home, '.ssh'))).toBe('700');
    expect(mode(first.file)).toBe('600');
    expect(statSync(first.file).uid).toBe(process.getuid?.());
    expect(readFileSync(first.file, 'utf8')).toBe(
      `${NEW.type} ${NEW.blob} attach-key-bot ak-test0001\n`,
    );
    expectModel(undefined, first, input());
  });

  it('appends to an existing file without touching its other lines, even without a final newline', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'), { mode: 0o755 });
    const before = `# managed by hand\n${OTHER.line}\ncommand="/bin/true" ${OLD.line}`;
    writeFileSync(join(home, '.ssh', 'authorized_keys'), before, { mode: 0o644 });
    const after = run(home, input());
    expect(after.output.trim()).toBe('attach-key-bot: added removed=0');
    const text = readFileSync(after.file, 'utf8');
    expect(text.startsWith(`${before}\n`)).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(4);
    // Existing permissions stay as they were.
    expect(mode(join(home, '.ssh'))).toBe('755');
    expect(mode(after.file)).toBe('644');
    expectModel(before, after, input());
  });

  it('finds the key already present (another comment, options before it) and changes nothing', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'));
    const before = `${OTHER.line}\nno-pty ${NEW.type} ${NEW.blob} laptop\n`;
    writeFileSync(join(home, '.ssh', 'authorized_keys'), before, { mode: 0o600 });
    const after = run(home, input());
    expect(after.output.trim()).toBe('attach-key-bot: present removed=0');
    expect(readFileSync(after.file, 'utf8')).toBe(before);
    expectModel(before, after, input());
  });

  it('adds the key when it is only in a commented-out line', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'));
    const before = `# ${NEW.type} ${NEW.blob} disabled\n`;
    writeFileSync(join(home, '.ssh', 'authorized_keys'), before);
    const after = run(home, input());
    expect(after.output.trim()).toBe('attach-key-bot: added removed=0');
    expectModel(before, after, input());
  });

  it('removes exactly the replaced key’s lines, keeps every other line and the permissions', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'));
    const before = [
      '# keys',
      OTHER.line,
      OLD.line,
      `from="10.0.0.0/8" ${OLD.type} ${OLD.blob} second copy`,
      `# ${OLD.line}`,
      `${OLD.type} ${OLD.blob.slice(0, -4)}AAAA lookalike`,
      '',
    ].join('\n');
    writeFileSync(join(home, '.ssh', 'authorized_keys'), before, { mode: 0o640 });
    const used = input(OLD);
    const after = run(home, used);
    expect(after.output.trim()).toBe('attach-key-bot: added removed=2');
    const lines = readFileSync(after.file, 'utf8').split('\n');
    expect(lines).toEqual([
      '# keys',
      OTHER.line,
      `# ${OLD.line}`,
      `${OLD.type} ${OLD.blob.slice(0, -4)}AAAA lookalike`,
      `${NEW.type} ${NEW.blob} attach-key-bot ak-test0001`,
      '',
    ]);
    expect(mode(after.file)).toBe('640');
    // No temporary file left behind.
    expect(execFileSync('ls', ['-A', join(home, '.ssh')], { encoding: 'utf8' }).trim()).toBe(
      'authorized_keys',
    );
    expectModel(before, after, used);
  });

  it('changes nothing on a second run, rotation included', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'authorized_keys'), `${OLD.line}\n${OTHER.line}\n`);
    const used = input(OLD);
    const first = run(home, used);
    expect(first.output.trim()).toBe('attach-key-bot: added removed=1');
    const once = readFileSync(first.file, 'utf8');
    const second = run(home, used);
    expect(second.status).toBe(0);
    expect(second.output.trim()).toBe('attach-key-bot: present removed=0');
    expect(readFileSync(second.file, 'utf8')).toBe(once);
    expectModel(once, second, used);
  });

  it('edits a symlinked authorized_keys through the link', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'));
    const target = join(home, 'keys.real');
    writeFileSync(target, `${OLD.line}\n`);
    symlinkSync(target, join(home, '.ssh', 'authorized_keys'));
    const after = run(home, input(OLD));
    expect(after.output.trim()).toBe('attach-key-bot: added removed=1');
    expect(lstatSync(after.file).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(
      `${NEW.type} ${NEW.blob} attach-key-bot ak-test0001\n`,
    );
  });

  it('fails with a plain message and a non-zero exit when there is no home directory', () => {
    const after = run(join(root, 'does-not-exist'), input());
    expect(after.status).toBe(3);
    expect(after.output).toContain('attach-key-bot: no home directory');
  });
});

describe('the template', () => {
  it('inserts only validated values: a quote or a newline is refused, never written', () => {
    expect(() => renderApplyScript({ requestId: "ak-1'; reboot; '", key: asKey(NEW) })).toThrow(
      /not a request id/,
    );
    expect(() =>
      renderApplyScript({
        requestId: 'ak-1',
        key: { type: 'ssh-ed25519', blob: "AAAA'$(reboot)'" },
      }),
    ).toThrow(/not a validated public key/);
    expect(() =>
      renderApplyScript({
        requestId: 'ak-1',
        key: { type: 'ssh-ed25519; reboot' as PublicKeyType, blob: 'AAAA' },
      }),
    ).toThrow(/not a validated public key/);
  });

  it('reads back the values of its own scripts only', () => {
    const used = input(OLD);
    const script = renderApplyScript(used);
    expect(readApplyScript(script)).toEqual(used);
    expect(readApplyScript(renderApplyScript(input()))).toEqual(input());
    expect(readApplyScript(script.replace('set -eu', 'set -eu\nrm -rf ~'))).toBeUndefined();
    expect(readApplyScript('#!/bin/bash\necho hi\n')).toBeUndefined();
  });

  it('fits RunCommand’s 16 KB with the longest keys', () => {
    const big = makeTestKey('rsa-2048');
    const script = renderApplyScript({ requestId: 'ak-1', key: asKey(big), replaces: asKey(big) });
    expect(Buffer.from(script).toString('base64').length).toBeLessThan(16 * 1024);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
  });
});
