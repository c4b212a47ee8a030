import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicyText } from '../../src/config/policy-file.js';

const YAML_OK = `rules:
  - name: production
    match: { tag: env=prod }       # any instance of the request carries this tag
    approvals: 2
    approvers: [S0SRELEADS, U0LEAD0001]
  - name: large
    match: { instancesOver: 50 }
    approvals: 2
`;

describe('POLICY_FILE', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'akb-policy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the issue example in YAML and the same rules in JSON', async () => {
    const expected = [
      {
        name: 'production',
        match: { tag: { key: 'env', value: 'prod' } },
        approvals: 2,
        approvers: ['S0SRELEADS', 'U0LEAD0001'],
      },
      { name: 'large', match: { instancesOver: 50 }, approvals: 2 },
    ];
    await writeFile(join(dir, 'policy.yaml'), YAML_OK);
    expect(await loadPolicyFile(join(dir, 'policy.yaml'))).toEqual(expected);
    const json = JSON.stringify({
      rules: [
        {
          name: 'production',
          match: { tag: 'env=prod' },
          approvals: 2,
          approvers: ['S0SRELEADS', 'U0LEAD0001'],
        },
        { name: 'large', match: { instancesOver: 50 }, approvals: 2 },
      ],
    });
    await writeFile(join(dir, 'policy.json'), json);
    expect(await loadPolicyFile(join(dir, 'policy.json'))).toEqual(expected);
  });

  it('reads match { restarts: true } (issue 21) and refuses any other value', () => {
    const rules = parsePolicyText(
      'rules:\n  - name: reboots\n    match: { restarts: true }\n    approvals: 2\n  - name: prod-reboots\n    match: { tag: env=prod, restarts: true }\n    approvals: 3\n',
      '/etc/akb/policy.yaml',
    );
    expect(rules).toEqual([
      { name: 'reboots', match: { restarts: true }, approvals: 2 },
      {
        name: 'prod-reboots',
        match: { tag: { key: 'env', value: 'prod' }, restarts: true },
        approvals: 3,
      },
    ]);
    expect(() =>
      parsePolicyText(
        'rules:\n  - name: r\n    match: { restarts: false }\n    approvals: 2\n',
        '/etc/akb/policy.yaml',
      ),
    ).toThrow(
      'rule 1 ("r"): match.restarts: expected true (the rule applies to requests that restart instances)',
    );
  });

  it.each([
    [
      'rules:\n  - name: prod\n    match: { tag: env=prod }\n    approvals: 0\n',
      'rule 1 ("prod"): approvals: expected a whole number of approvals, at least 1',
    ],
    [
      'rules:\n  - name: prod\n    match: { tag: env }\n    approvals: 2\n',
      'rule 1 ("prod"): match.tag: expected key=value such as env=prod',
    ],
    [
      'rules:\n  - name: prod\n    match: { tag: env=prod }\n    approvals: 2\n    approver: [U1]\n',
      'rule 1 ("prod"): unknown field approver',
    ],
    [
      'rules:\n  - name: prod\n    match: { tag: env=prod }\n    approvals: 2\n    approvers: [bob]\n',
      'rule 1 ("prod"): approvers.0: expected a Slack user id (U…) or user-group id (S…)',
    ],
    [
      'rules:\n  - name: a\n    match: {}\n    approvals: 1\n',
      'rule 1 ("a"): match: give tag (key=value), instancesOver (a number), restarts: true or account (a name), or several',
    ],
    [
      'rules:\n  - name: a\n    match: { instancesOver: 5 }\n    approvals: 1\n  - name: a\n    match: { instancesOver: 9 }\n    approvals: 2\n',
      'rule 2 ("a"): name: another rule has this name',
    ],
    ['rule:\n  - name: a\n', 'unknown field rule'],
    ['rules: [\n', 'is not valid YAML at line'],
  ])('refuses %j naming the rule and the field', (text, message) => {
    expect(() => parsePolicyText(text, '/etc/akb/policy.yaml')).toThrow(message);
    expect(() => parsePolicyText(text, '/etc/akb/policy.yaml')).toThrow(
      'POLICY_FILE /etc/akb/policy.yaml',
    );
  });

  it('names a missing file and what to do', async () => {
    await expect(loadPolicyFile(join(dir, 'nope.yaml'))).rejects.toThrow(
      /cannot be read \(it does not exist\)\. Point POLICY_FILE/,
    );
  });
});
