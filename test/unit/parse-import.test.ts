import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../src/domain/parse.js';
import { makeTestKey } from '../support/ssh-keys.js';

// `/attach-key import NAME PUBLIC-KEY [region=R]` as Slack sends it (& < > escaped), and a
// private key pasted anywhere in the command: refused, never quoted.

const OPTIONS = { defaultRegion: 'cn-beijing', maxInstances: 500 };
const parse = (text: string) => parseCommandText(text, OPTIONS);
const KEY = makeTestKey('ed25519', 'dana <dana@example.com>, laptop & desk');

describe('the import command', () => {
  it('reads the name, the whole key line (comment with spaces, commas, & < >) and the region', () => {
    const escaped = KEY.line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const parsed = parse(`import ops-key.2024 ${escaped} region=cn-shanghai`);
    expect(parsed).toMatchObject({
      kind: 'import',
      keyPairName: 'ops-key.2024',
      region: 'cn-shanghai',
      key: {
        type: 'ssh-ed25519',
        blob: KEY.blob,
        comment: 'dana <dana@example.com>, laptop & desk',
      },
    });
  });

  it('takes 导入, any case, the default region, and a key pasted in a code block', () => {
    expect(parse(`导入 ops-key ${KEY.line}`)).toMatchObject({
      kind: 'import',
      region: 'cn-beijing',
    });
    expect(parse(`IMPORT ops-key \`${KEY.line}\``)).toMatchObject({
      kind: 'import',
      key: { blob: KEY.blob },
    });
  });

  it('says what is missing, with the usage to type', () => {
    expect(parse('import')).toMatchObject({
      kind: 'error',
      problem: { kind: 'import_usage', missing: 'name' },
    });
    expect(parse(`import ${KEY.line}`)).toMatchObject({
      problem: { kind: 'import_usage', missing: 'name' },
    });
    expect(parse('import ops-key')).toMatchObject({
      problem: { kind: 'import_usage', missing: 'key' },
    });
    expect(parse('import ops-key region=cn-shanghai')).toMatchObject({
      problem: { kind: 'import_usage', missing: 'key' },
    });
  });

  it('refuses a bad name, a bad region and a key it cannot use', () => {
    expect(parse(`import "ops key" ${KEY.line}`)).toMatchObject({
      problem: { kind: 'bad_key_pair_name' },
    });
    expect(parse(`import ops-key ${KEY.line} region=mars-1`)).toMatchObject({
      problem: { kind: 'unknown_region' },
    });
    expect(parse(`import ops-key ${makeTestKey('rsa-1024').line}`)).toMatchObject({
      problem: { kind: 'bad_public_key', problem: { reason: 'rsa_too_short', bits: 1024 } },
    });
    expect(parse(`import ops-key ssh-dss AAAAB3NzaC1kc3M= x`)).toMatchObject({
      problem: { kind: 'bad_public_key', problem: { reason: 'type' } },
    });
    expect(parse(`import ops-key ${KEY.line}\n${KEY.line}`)).toMatchObject({
      problem: { kind: 'bad_public_key', problem: { reason: 'multiline' } },
    });
  });
});

describe('a private key in the command', () => {
  const pem = makeTestKey('ecdsa-256').privatePem;
  it.each([
    ['as the key of import', `import ops-key ${pem}`],
    ['alone', pem],
    ['in a request', `i-abcd1234 key=${pem}`],
  ])('is refused %s, and nothing of it comes back', (_how, text) => {
    const parsed = parse(text);
    expect(parsed).toEqual({ kind: 'private_key' });
  });
});
