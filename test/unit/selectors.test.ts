import { describe, expect, it } from 'vitest';
import {
  type CommandParse,
  type ParseOptions,
  parseCommandText,
  parseModalValues,
} from '../../src/domain/parse.js';
import {
  formatSelector,
  matchesSelectors,
  type Selector,
  selectionFilters,
} from '../../src/domain/selectors.js';
import { en } from '../../src/slack/i18n/en.js';
import { zh } from '../../src/slack/i18n/zh.js';
import {
  describeModalErrors,
  describeParseFailure,
  MRKDWN_FORMAT,
} from '../../src/slack/render/parse-problems.js';

// Issue 21's grammar: tag: and holding: selectors, AND between them, never beside ids, then=.

const options: ParseOptions = { defaultRegion: 'cn-beijing', maxInstances: 5 };

function draftOf(text: string) {
  const parsed = parseCommandText(text, options);
  if (parsed.kind !== 'request') throw new Error(`expected a request: ${JSON.stringify(parsed)}`);
  return parsed.draft;
}

function refused(text: string, t = en) {
  const parsed: CommandParse = parseCommandText(text, options);
  if (parsed.kind !== 'error') throw new Error(`expected an error: ${JSON.stringify(parsed)}`);
  return { problem: parsed.problem, message: describeParseFailure(parsed, t, MRKDWN_FORMAT) };
}

describe('selectors in the command', () => {
  it('reads tags (with a value or any value) that must all match, and no ids', () => {
    expect(draftOf('tag:env=prod tag:role=web key=ops-2027')).toEqual({
      instanceIds: [],
      region: 'cn-beijing',
      keyPairName: 'ops-2027',
      selectors: [
        { kind: 'tag', key: 'env', value: 'prod' },
        { kind: 'tag', key: 'role', value: 'web' },
      ],
    });
    expect(draftOf('TAG:team key=ops').selectors).toEqual([{ kind: 'tag', key: 'team' }]);
    // The value keeps its own = and : (only the first = splits).
    expect(draftOf('tag:url=a=b:c key=ops').selectors).toEqual([
      { kind: 'tag', key: 'url', value: 'a=b:c' },
    ]);
  });

  it('reads holding: by name, by id and none, and then=restart', () => {
    expect(draftOf('holding:alice-2024 key=ops-2027 then=restart')).toEqual({
      instanceIds: [],
      region: 'cn-beijing',
      keyPairName: 'ops-2027',
      selectors: [{ kind: 'holding', keyPairName: 'alice-2024' }],
      next: 'restart',
    });
    expect(draftOf('holding:kp-abcd1234 key=ops').selectors).toEqual([
      { kind: 'holding', keyPairId: 'kp-abcd1234' },
    ]);
    expect(draftOf('Holding:NONE tag:env=prod key=ops region=cn-shanghai')).toMatchObject({
      region: 'cn-shanghai',
      selectors: [{ kind: 'holding' }, { kind: 'tag', key: 'env', value: 'prod' }],
    });
    expect(draftOf('i-aaaa1111 key=ops THEN=Restart').next).toBe('restart');
  });

  it('reads full-width ： and ＝ as : and =', () => {
    expect(draftOf('tag：env＝prod，holding：alice-2024 key＝ops').selectors).toEqual([
      { kind: 'tag', key: 'env', value: 'prod' },
      { kind: 'holding', keyPairName: 'alice-2024' },
    ]);
  });

  it('refuses ids and selectors together, naming one of each', () => {
    const { problem, message } = refused('i-aaaa1111 tag:env=prod key=ops');
    expect(problem).toEqual({
      kind: 'ids_and_selectors',
      id: 'i-aaaa1111',
      selector: 'tag:env=prod',
    });
    expect(message).toBe(
      '`i-aaaa1111` is an instance id and `tag:env=prod` a selector: name the instances either by ids or by selectors, not both.',
    );
    expect(refused('tag:env=prod i-aaaa1111 key=ops', zh).message).toContain('不要混用');
  });

  it('refuses selectors that cannot be read or cannot hold together, saying what to type', () => {
    expect(refused('tag:env= key=ops').message).toBe(
      '`tag:env=` has no value after =: give one (tag:KEY=VALUE), or type tag:env to select any value of the key.',
    );
    expect(refused('tag: key=ops').problem).toMatchObject({
      kind: 'selector_empty',
      selector: 'tag',
    });
    expect(refused('holding: key=ops').problem).toMatchObject({
      kind: 'selector_empty',
      selector: 'holding',
    });
    expect(refused('tag:=prod key=ops').problem.kind).toBe('selector_empty');
    expect(refused('tag:env=prod tag:env=staging key=ops').message).toBe(
      '`tag:env=staging` and `tag:env=prod` cannot both hold: an instance has one value per tag key and one key pair. Give each tag key, and holding:, once.',
    );
    expect(refused('holding:old-key holding:none key=ops').problem.kind).toBe('selector_twice');
    const eleven = Array.from({ length: 11 }, (_, i) => `tag:k${i}=v`).join(' ');
    expect(refused(`${eleven} key=ops`).message).toBe(
      '11 tag selectors: Volcengine filters on at most 10 tag keys at once.',
    );
    expect(refused('holding:KP-ABCD1234 key=ops').message).toContain(
      'Did you mean holding:kp-abcd1234?',
    );
    expect(refused('holding:"old-key" key=ops').message).toContain('Did you mean holding:old-key?');
    expect(refused(`tag:${'k'.repeat(129)}=v key=ops`).problem).toMatchObject({
      kind: 'bad_tag',
      part: 'key',
    });
    expect(refused('i-aaaa1111 key=ops then=reboot').message).toBe(
      '`then=reboot`: then= takes restart, apply-now (restart: a rolling restart after the key is bound; apply-now: the key put in effect through Cloud Assistant, no restart).',
    );
    expect(refused('i-aaaa1111 key=ops then=').problem.kind).toBe('empty_value');
    expect(refused('i-aaaa1111 key=ops then=restart then=restart').problem.kind).toBe(
      'option_twice',
    );
  });

  it('asks for ids or selectors when neither is given', () => {
    expect(refused('key=ops then=restart').message).toContain(
      'Missing instance ids (such as i-3tiefmkskq3vj0example) or selectors',
    );
  });
});

describe('selectors in the form', () => {
  const form = (values: Parameters<typeof parseModalValues>[0]) =>
    parseModalValues({ picked: [], instances: '', keyPair: 'ops-2027', ...values }, options);

  it('reads tags without tag:, holding:, and the then checkbox', () => {
    const parsed = form({ selector: 'env=prod role web', next: ['restart'] });
    expect(parsed).toMatchObject({
      ok: true,
      draft: {
        instanceIds: [],
        next: 'restart',
        selectors: [
          { kind: 'tag', key: 'env', value: 'prod' },
          { kind: 'tag', key: 'role' },
          { kind: 'tag', key: 'web' },
        ],
      },
    });
    expect(form({ selector: ' holding:alice-2024\n' })).toMatchObject({
      ok: true,
      draft: { selectors: [{ kind: 'holding', keyPairName: 'alice-2024' }] },
    });
    expect(form({ picked: ['i-aaaa1111'], next: ['something-else'] })).toMatchObject({ ok: true });
    const plain = form({ picked: ['i-aaaa1111'] });
    expect(plain.ok && plain.draft.next).toBeUndefined();
  });

  it('refuses a selector beside picked or pasted instances, under the selector field', () => {
    const parsed = form({ picked: ['i-aaaa1111'], selector: 'env=prod' });
    expect(describeModalErrors(parsed.ok ? {} : parsed.errors, en)).toEqual({
      selector:
        'Instances are picked or pasted above too: choose them either there or by selector, not both.',
    });
    const pasted = form({ instances: 'i-bbbb2222', selector: 'env=prod' });
    expect(pasted.ok).toBe(false);
  });

  it('shows a bad selector under its field, and asks for instances or a selector when both are empty', () => {
    const bad = form({ selector: 'env=' });
    expect(describeModalErrors(bad.ok ? {} : bad.errors, en)).toEqual({
      selector:
        '"env=" has no value after =: give one (tag:KEY=VALUE), or type tag:env to select any value of the key.',
    });
    const empty = form({});
    expect(describeModalErrors(empty.ok ? {} : empty.errors, en)).toEqual({
      instances:
        'Pick at least one instance, paste instance ids below, or select them by tag or key pair.',
    });
  });
});

describe('matching an instance exactly', () => {
  const instance = (keyPairName?: string, keyPairId?: string) => ({
    tags: [
      { key: 'env', value: 'prod' },
      { key: 'role', value: 'web' },
    ],
    ...(keyPairName ? { keyPairName } : {}),
    ...(keyPairId ? { keyPairId } : {}),
  });
  const tag = (key: string, value?: string): Selector =>
    value === undefined ? { kind: 'tag', key } : { kind: 'tag', key, value };

  it('needs every selector, exact values and names (a fuzzy near miss is not a match)', () => {
    expect(matchesSelectors(instance(), [tag('env', 'prod'), tag('role')])).toBe(true);
    expect(matchesSelectors(instance(), [tag('env', 'prod'), tag('team')])).toBe(false);
    expect(matchesSelectors(instance(), [tag('env', 'Prod')])).toBe(false);
    expect(matchesSelectors(instance(), [tag('env', 'pro')])).toBe(false);
    const holding: Selector = { kind: 'holding', keyPairName: 'alice-2024' };
    expect(matchesSelectors(instance('alice-2024'), [holding])).toBe(true);
    expect(matchesSelectors(instance('alice-2024-old'), [holding])).toBe(false);
    expect(matchesSelectors(instance('ALICE-2024'), [holding])).toBe(false);
    const byId: Selector = { kind: 'holding', keyPairId: 'kp-alice0001' };
    expect(matchesSelectors(instance('alice', 'kp-alice0001'), [byId])).toBe(true);
    expect(matchesSelectors(instance('alice', 'kp-alice00012'), [byId])).toBe(false);
    const none: Selector = { kind: 'holding' };
    expect(matchesSelectors(instance(), [none])).toBe(true);
    expect(matchesSelectors(instance('x-key'), [none])).toBe(false);
  });

  it('asks the API for TagFilters and KeyPairName, and writes selectors as typed', () => {
    const selectors: Selector[] = [
      tag('env', 'prod'),
      tag('role'),
      { kind: 'holding', keyPairId: 'kp-alice0001' },
    ];
    expect(selectionFilters(selectors, 'alice')).toEqual({
      tagFilters: [
        { key: 'env', values: ['prod'] },
        { key: 'role', values: [] },
      ],
      keyPairName: 'alice',
    });
    expect(selectionFilters([{ kind: 'holding' }])).toEqual({ tagFilters: [] });
    expect(selectors.map(formatSelector)).toEqual([
      'tag:env=prod',
      'tag:role',
      'holding:kp-alice0001',
    ]);
    expect(formatSelector({ kind: 'holding' })).toBe('holding:none');
  });
});
