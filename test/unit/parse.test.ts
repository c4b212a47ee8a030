import { describe, expect, it } from 'vitest';
import {
  type CommandParse,
  type ModalParse,
  type ParseFailure,
  type ParseOptions,
  type ParseProblem,
  parseCommandText,
  parseModalValues,
} from '../../src/domain/parse.js';
import { isKnownRegion, KNOWN_REGIONS, knownRegionsWith } from '../../src/domain/regions.js';
import { SANDBOX_FACTS } from '../../src/sandbox/fleet.js';
import { en } from '../../src/slack/i18n/en.js';
import { renderUsage } from '../../src/slack/render/messages.js';
import {
  describeModalErrors,
  describeParseFailure,
  describeParseNote,
  MRKDWN_FORMAT,
} from '../../src/slack/render/parse-problems.js';

const options: ParseOptions = { defaultRegion: 'cn-beijing', maxInstances: 5 };

function request(text: string, opts: ParseOptions = options) {
  const result = parseCommandText(text, opts);
  if (result.kind !== 'request')
    throw new Error(`expected a request, got ${JSON.stringify(result)}`);
  return result;
}

function errorOf(result: CommandParse): ParseFailure {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

/** The problem and the English reply text the user sees for it. */
function refused(text: string, opts: ParseOptions = options) {
  const failure = errorOf(parseCommandText(text, opts));
  return { ...failure, message: describeParseFailure(failure, en, MRKDWN_FORMAT) };
}

const tokenOf = (p: ParseProblem) => ('token' in p ? p.token : undefined);

/** The modal's errors in English, as Slack shows them under the inputs. */
function modalErrors(result: ModalParse): Record<string, string> {
  return result.ok ? {} : describeModalErrors(result.errors, en);
}

const englishNotes = (notes: Parameters<typeof describeParseNote>[0][]) =>
  notes.map((n) => describeParseNote(n, en));

describe('parseCommandText: requests', () => {
  it('reads ids separated by spaces, commas and new lines in any mix', () => {
    const result = request(
      'i-aaaa1111 i-bbbb2222,i-cccc3333\ni-dddd4444 ,, \n i-eeee5555 key=prod',
    );
    expect(result).toEqual({
      kind: 'request',
      draft: {
        instanceIds: ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333', 'i-dddd4444', 'i-eeee5555'],
        keyPairName: 'prod',
        region: 'cn-beijing',
      },
      notes: [],
    });
  });

  it('accepts real-looking and sandbox ids', () => {
    const ids = ['i-3tiefmkskq3vj0example', 'i-ahipakt2gcg95jpv', 'i-missing01', 'i-stopped02'];
    const more = ['i-windows03', 'i-noagent04'];
    const result = request(`${[...ids, ...more].join(' ')} key=ssh_key_pair`, {
      ...options,
      maxInstances: 10,
    });
    expect(result.draft.instanceIds).toEqual([...ids, ...more]);
  });

  it('uses the default region unless region= names a known one, lower-casing it', () => {
    expect(request('i-aaaa1111 key=prod').draft.region).toBe('cn-beijing');
    expect(request('i-aaaa1111 key=prod region=cn-shanghai').draft.region).toBe('cn-shanghai');
    expect(request('i-aaaa1111 key=prod region=AP-Southeast-3').draft.region).toBe(
      'ap-southeast-3',
    );
  });

  it('takes options anywhere and their names in any case', () => {
    const result = request('KEY=Prod.Key_1 i-aaaa1111 Region=cn-hongkong i-bbbb2222');
    expect(result.draft).toEqual({
      instanceIds: ['i-aaaa1111', 'i-bbbb2222'],
      keyPairName: 'Prod.Key_1',
      region: 'cn-hongkong',
    });
  });

  it('reads key-id= as a KeyPairId', () => {
    const result = request('i-aaaa1111 key-id=kp-ybqcopwrdwl8j1');
    expect(result.draft).toEqual({
      instanceIds: ['i-aaaa1111'],
      keyPairId: 'kp-ybqcopwrdwl8j1',
      region: 'cn-beijing',
    });
    expect(result.notes).toEqual([]);
  });

  it('keeps both key= and key-id= and notes that the id wins', () => {
    const result = request('i-aaaa1111 key=prod key-id=kp-abcd1234');
    expect(result.draft.keyPairName).toBe('prod');
    expect(result.draft.keyPairId).toBe('kp-abcd1234');
    expect(result.notes).toEqual([
      { kind: 'key_id_wins', keyPairId: 'kp-abcd1234', keyPairName: 'prod' },
    ]);
    expect(englishNotes(result.notes)).toEqual([
      'key-id wins over key=: the API binds kp-abcd1234 and ignores key=prod',
    ]);
  });

  it('removes duplicate ids, keeps the first order, and says how many went', () => {
    const result = request('i-bbbb2222 i-aaaa1111 i-bbbb2222 i-aaaa1111 i-bbbb2222 key=prod');
    expect(result.draft.instanceIds).toEqual(['i-bbbb2222', 'i-aaaa1111']);
    expect(result.notes).toEqual([{ kind: 'duplicates_removed', count: 3 }]);
    expect(englishNotes(result.notes)).toEqual(['3 duplicate ids were removed']);
    const one = request('i-aaaa1111 i-aaaa1111 key=prod').notes;
    expect(englishNotes(one)).toEqual(['1 duplicate id was removed']);
  });

  it('notes that key=kp-… is read as a name', () => {
    const result = request('i-aaaa1111 key=kp-abcd1234');
    expect(result.draft.keyPairName).toBe('kp-abcd1234');
    expect(result.draft.keyPairId).toBeUndefined();
    expect(result.notes).toEqual([{ kind: 'key_read_as_name', keyPairName: 'kp-abcd1234' }]);
    expect(englishNotes(result.notes)).toEqual([
      'key=kp-abcd1234 is read as a key pair name; for an id, use key-id=',
    ]);
  });

  it('accepts exactly maxInstances unique ids and refuses one more, giving both numbers', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-host${i}abc`).join(' ');
    expect(request(`${ids(5)} key=prod`).draft.instanceIds).toHaveLength(5);
    const error = refused(`${ids(7)} key=prod`);
    expect(error.problem).toEqual({ kind: 'too_many_ids', count: 7, given: 7, limit: 5 });
    expect(error.message).toBe(
      '7 instance ids were given; the limit is 5 per request. Split them into several requests.',
    );
  });

  it('counts the limit after removing duplicates', () => {
    const text = `${'i-aaaa1111 '.repeat(50)}i-bbbb2222 key=prod`;
    expect(request(text).draft.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222']);
  });

  it('always accepts the configured default region, and only the given known regions besides', () => {
    const custom: ParseOptions = {
      defaultRegion: 'cn-beijing-autodriving',
      maxInstances: 5,
      knownRegions: ['cn-shanghai'],
    };
    expect(request('i-aaaa1111 key=prod', custom).draft.region).toBe('cn-beijing-autodriving');
    expect(request('i-aaaa1111 key=prod region=cn-beijing-autodriving', custom).draft.region).toBe(
      'cn-beijing-autodriving',
    );
    expect(request('i-aaaa1111 key=prod region=cn-shanghai', custom).draft.region).toBe(
      'cn-shanghai',
    );
    const error = errorOf(parseCommandText('i-aaaa1111 key=prod region=cn-beijing', custom));
    expect(error.problem).toEqual({
      kind: 'unknown_region',
      token: 'region=cn-beijing',
      regions: ['cn-beijing-autodriving', 'cn-shanghai'],
    });
  });
});

describe('parseCommandText: other forms', () => {
  it('opens the modal for empty or blank text', () => {
    for (const text of ['', '   ', '\n\t ', '\u00a0\u3000']) {
      expect(parseCommandText(text, options)).toEqual({ kind: 'open_modal' });
    }
  });

  it('shows help for "help" in any case', () => {
    for (const text of ['help', 'HELP', ' Help ']) {
      expect(parseCommandText(text, options)).toEqual({ kind: 'help' });
    }
  });

  it('reads status with one request id', () => {
    expect(parseCommandText('status req-2024_abc', options)).toEqual({
      kind: 'status',
      requestId: 'req-2024_abc',
    });
    expect(parseCommandText('STATUS R1', options)).toEqual({ kind: 'status', requestId: 'R1' });
  });

  it('refuses status without an id, with two ids, or with a malformed id', () => {
    const none = refused('status');
    expect(none.problem).toEqual({ kind: 'status_needs_id' });
    expect(none.message).toContain('/attach-key status REQUEST-ID');
    expect(errorOf(parseCommandText('status r1 r2', options)).problem).toEqual({
      kind: 'extra_word',
      token: 'r2',
      command: 'status',
    });
    const bad = refused('status $(id)');
    expect(bad.problem).toEqual({ kind: 'bad_request_id', token: '$(id)' });
    expect(bad.message).toBe('`$(id)` is not a request id: copy the id from the approval card.');
  });

  it('reads history with a default of 10 and N from 1 to 50', () => {
    expect(parseCommandText('history', options)).toEqual({ kind: 'history', limit: 10 });
    expect(parseCommandText('History 1', options)).toEqual({ kind: 'history', limit: 1 });
    expect(parseCommandText('history 50', options)).toEqual({ kind: 'history', limit: 50 });
  });

  it('refuses a history count that is not a whole number from 1 to 50', () => {
    for (const n of ['0', '51', '-1', '1.5', 'ten', '1e1', '100000']) {
      const error = refused(`history ${n}`);
      expect(error.problem).toEqual({
        kind: 'bad_history_count',
        token: n,
        max: 50,
        defaultLimit: 10,
      });
      expect(error.message).toContain(`\`${n}\``);
      expect(error.message).toContain('1 to 50');
    }
    expect(refused('history 5 6').message).toBe(
      '`6` is one word too many: history takes one number.',
    );
  });
});

describe('parseCommandText: errors', () => {
  it('asks for a key pair when none is given', () => {
    const error = refused('i-aaaa1111');
    expect(error.problem).toEqual({ kind: 'missing', instanceIds: false, keyPair: true });
    expect(error.message).toBe('Missing a key pair (key=NAME or key-id=kp-…).');
  });

  it('asks for ids when only options are given, and for both when both are missing', () => {
    const noIds = refused('key=prod');
    expect(noIds.problem).toEqual({ kind: 'missing', instanceIds: true, keyPair: false });
    expect(noIds.message).toBe(
      'Missing instance ids (such as i-3tiefmkskq3vj0example) or selectors (tag:KEY=VALUE, tag:KEY, holding:NAME, holding:kp-… or holding:none).',
    );
    const neither = refused('region=cn-beijing');
    expect(neither.problem).toEqual({ kind: 'missing', instanceIds: true, keyPair: true });
    expect(neither.message).toBe(
      'Missing instance ids (such as i-3tiefmkskq3vj0example) or selectors (tag:KEY=VALUE, tag:KEY, holding:NAME, holding:kp-… or holding:none) and a key pair (key=NAME or key-id=kp-…).',
    );
  });

  it('quotes an empty option and says how to fill it', () => {
    const error = refused('i-aaaa1111 key=');
    expect(error.problem).toEqual({ kind: 'empty_value', token: 'key=', name: 'key' });
    expect(error.message).toBe('`key=` has no value: type key=NAME with no space after =.');
  });

  it('quotes an unknown option and lists the real ones', () => {
    const error = refused('i-aaaa1111 key=prod foo=bar');
    expect(error.problem).toEqual({ kind: 'not_an_option', token: 'foo=bar', named: true });
    expect(error.message).toBe(
      '`foo=bar` is not an option: the options are key=NAME, key-id=kp-…, region=REGION and then=restart|apply-now, with no spaces around =.',
    );
  });

  it('quotes an unknown region and lists the known ones', () => {
    const error = refused('i-aaaa1111 key=prod region=mars-1');
    expect(error.problem).toMatchObject({ kind: 'unknown_region', token: 'region=mars-1' });
    expect(error.message).toContain('`region=mars-1` is not a region this bot knows: use one of');
    for (const region of KNOWN_REGIONS) expect(error.message).toContain(region);
  });

  it('names a repeated option', () => {
    const error = refused('i-aaaa1111 key=prod key=test');
    expect(error.problem).toEqual({
      kind: 'option_twice',
      token: 'key=test',
      name: 'key',
      first: 'key=prod',
    });
    expect(error.message).toBe('key= is given twice (`key=prod` and `key=test`): give it once.');
  });

  it('suggests the lower-case form of an upper-case id', () => {
    const error = refused('I-AAAA1111 key=prod');
    expect(error.problem).toEqual({
      kind: 'lower_case_id',
      token: 'I-AAAA1111',
      fix: 'i-aaaa1111',
    });
    expect(error.message).toBe(
      '`I-AAAA1111`: instance ids are lower-case: did you mean i-aaaa1111?',
    );
  });

  it('mentions how many other words were wrong after the first', () => {
    const error = refused('one two three key=prod');
    expect(tokenOf(error.problem)).toBe('one');
    expect(error.more).toBe(2);
    expect(error.message).toBe(
      '`one` is not an instance id or an option: the options are key=NAME, key-id=kp-…, region=REGION and then=restart|apply-now. Instance ids look like i-3tiefmkskq3vj0example. (2 more words have problems too.)',
    );
  });
});

describe('usage', () => {
  it('shows every form with examples and is safe to post as mrkdwn', () => {
    const usage = renderUsage(en).text;
    for (const part of ['key=NAME', 'key-id=kp-', 'region=', 'status', 'history', 'help']) {
      expect(usage).toContain(part);
    }
    expect(usage).toContain('/attach-key i-');
    expect(usage).toContain('N from 1 to 50, default 10');
    for (const region of KNOWN_REGIONS) expect(usage).toContain(region);
    expect(usage).not.toMatch(/[<>&]/);
  });

  it('lists the regions it is given, escaped, and appends the sandbox facts', () => {
    const appendix = { ...SANDBOX_FACTS, keyPairs: [{ keyPairName: '<try>', keyPairId: '& see' }] };
    const usage = renderUsage(en, { regions: ['cn-x<y>'], appendix }).text;
    expect(usage).toContain('known regions: cn-x&lt;y&gt;.');
    expect(usage).toMatch(/\n\nSandbox mode \(VOLC_SANDBOX=true\)/);
    expect(usage).toMatch(/\nListed key pairs: &lt;try&gt; \(&amp; see\)$/);
  });
});

describe('regions', () => {
  it('knows the main Volcengine ECS regions and treats ids exactly', () => {
    for (const region of ['cn-beijing', 'cn-shanghai', 'cn-guangzhou', 'cn-hongkong']) {
      expect(isKnownRegion(region)).toBe(true);
    }
    expect(isKnownRegion('ap-southeast-1')).toBe(true);
    expect(isKnownRegion('ap-southeast-3')).toBe(true);
    expect(isKnownRegion('CN-BEIJING')).toBe(false);
    expect(isKnownRegion('us-east-1')).toBe(false);
  });

  it('adds the default region in front only when it is missing', () => {
    expect(knownRegionsWith('cn-beijing')).toBe(KNOWN_REGIONS);
    expect(knownRegionsWith('cn-wulanchabu', ['cn-beijing'])).toEqual([
      'cn-wulanchabu',
      'cn-beijing',
    ]);
  });
});

describe('parseModalValues', () => {
  it('reads a multi-line id list, a name and an empty region as the default', () => {
    const result = parseModalValues(
      {
        instances: 'i-aaaa1111\ni-bbbb2222, i-cccc3333\n\n',
        keyPair: ' ssh_key_pair ',
        region: null,
      },
      options,
    );
    expect(result).toEqual({
      ok: true,
      draft: {
        instanceIds: ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333'],
        keyPairName: 'ssh_key_pair',
        region: 'cn-beijing',
      },
      notes: [],
    });
    const blank = parseModalValues(
      { instances: 'i-aaaa1111', keyPair: 'prod', region: '' },
      options,
    );
    expect(blank.ok && blank.draft.region).toBe('cn-beijing');
  });

  it('reads a value starting with kp- as a KeyPairId and keeps a chosen region', () => {
    const result = parseModalValues(
      { instances: 'i-aaaa1111', keyPair: 'kp-ybqcopwrdwl8j1', region: 'cn-guangzhou' },
      options,
    );
    expect(result).toEqual({
      ok: true,
      draft: {
        instanceIds: ['i-aaaa1111'],
        keyPairId: 'kp-ybqcopwrdwl8j1',
        region: 'cn-guangzhou',
      },
      notes: [],
    });
  });

  it('notes removed duplicates', () => {
    const result = parseModalValues(
      { instances: 'i-aaaa1111 i-aaaa1111', keyPair: 'prod' },
      options,
    );
    expect(result.ok && result.notes).toEqual([{ kind: 'duplicates_removed', count: 1 }]);
  });

  it('keys every field error by its block id', () => {
    const result = parseModalValues({ instances: '', keyPair: '', region: 'mars-1' }, options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      instances: { problem: { kind: 'no_instances' }, more: 0 },
      key_pair: { problem: { kind: 'key_pair_empty' }, more: 0 },
      region: {
        problem: expect.objectContaining({ kind: 'unknown_region', token: 'mars-1' }),
        more: 0,
      },
    });
    const texts = modalErrors(result);
    expect(texts.instances).toBe(
      'Enter at least one instance id, such as i-3tiefmkskq3vj0example.',
    );
    expect(texts.key_pair).toBe(
      'Enter a key pair name (such as ssh_key_pair) or id (such as kp-ybqcopwrdwl8j1example).',
    );
    expect(texts.region).toContain('"mars-1" is not a region this bot knows');
  });

  it('reports only the field that is wrong', () => {
    const cases: [Parameters<typeof parseModalValues>[0], string, ParseProblem, string][] = [
      [
        { instances: 'i-aaaa1111 I-BBBB2222', keyPair: 'prod' },
        'instances',
        { kind: 'lower_case_id', token: 'I-BBBB2222', fix: 'i-bbbb2222' },
        '"I-BBBB2222": instance ids are lower-case: did you mean i-bbbb2222?',
      ],
      [
        { instances: 'i-aaaa1111 key=prod', keyPair: 'prod' },
        'instances',
        { kind: 'option_in_instances', token: 'key=prod' },
        '"key=prod": only instance ids go here; choose the key pair and region in their own fields.',
      ],
      [
        { instances: '<!channel>', keyPair: 'prod' },
        'instances',
        { kind: 'markup', token: '<!channel>' },
        'Slack mentions and links are not instance ids: "<!channel>". Paste the plain ids instead.',
      ],
      [
        { instances: 'i-aaaa1111', keyPair: 'my key' },
        'key_pair',
        { kind: 'key_pair_space', token: 'my key' },
        '"my key" has a space in it: enter one key pair name or id.',
      ],
      [
        { instances: 'i-aaaa1111', keyPair: 'kp-my_key' },
        'key_pair',
        { kind: 'key_pair_id_shape', token: 'kp-my_key' },
        '"kp-my_key" starts with kp- so it is read as a key pair id, but ids look like kp-ybqcopwrdwl8j1example.',
      ],
      [
        { instances: 'i-aaaa1111', keyPair: 'KP-ABCD1234' },
        'key_pair',
        { kind: 'key_pair_id_case', token: 'KP-ABCD1234', fix: 'kp-abcd1234' },
        '"KP-ABCD1234": key pair ids are lower-case: did you mean kp-abcd1234?',
      ],
      [
        { instances: 'i-aaaa1111', keyPair: '9lives' },
        'key_pair',
        { kind: 'bad_key_pair_name', token: '9lives' },
        '"9lives" is not a key pair name: names are 2–64 characters, start with a letter and use letters, digits, ".", "_" and "-".',
      ],
      [
        { instances: 'i-aaaa1111', keyPair: 'key=prod' },
        'key_pair',
        { kind: 'key_pair_prefixed', token: 'key=prod', prefix: 'key=' },
        '"key=prod": type only the name or id, without key=.',
      ],
    ];
    for (const [values, field, problem, text] of cases) {
      const result = parseModalValues(values, options);
      expect(result.ok ? {} : result.errors, JSON.stringify(values)).toEqual({
        [field]: { problem, more: 0 },
      });
      expect(modalErrors(result)).toEqual({ [field]: text });
    }
  });

  it('refuses more than maxInstances ids in the instances field', () => {
    const ids = Array.from({ length: 6 }, (_, i) => `i-host${i}abc`).join('\n');
    const result = parseModalValues({ instances: ids, keyPair: 'prod' }, options);
    expect(result).toEqual({
      ok: false,
      errors: {
        instances: { problem: { kind: 'too_many_ids', count: 6, given: 6, limit: 5 }, more: 0 },
      },
    });
    expect(modalErrors(result).instances).toContain('the limit is 5 per request');
  });

  it('treats missing values like empty ones', () => {
    const result = parseModalValues({}, options);
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual(['instances', 'key_pair']);
  });
});

describe('Chinese input (issue 13)', () => {
  it('reads 帮助, 状态 and 历史 like help, status and history', () => {
    expect(parseCommandText('帮助', options)).toEqual({ kind: 'help' });
    expect(parseCommandText(' 帮助 ', options)).toEqual({ kind: 'help' });
    expect(parseCommandText('状态 ak-r1-7', options)).toEqual({
      kind: 'status',
      requestId: 'ak-r1-7',
    });
    expect(parseCommandText('历史', options)).toEqual({ kind: 'history', limit: 10 });
    expect(parseCommandText('历史 20', options)).toEqual({ kind: 'history', limit: 20 });
    expect(errorOf(parseCommandText('状态', options)).problem).toEqual({ kind: 'status_needs_id' });
    expect(errorOf(parseCommandText('历史 99', options)).problem).toMatchObject({
      kind: 'bad_history_count',
      token: '99',
    });
  });

  it('separates tokens with ，、；, U+3000 and reads ＝ as =', () => {
    const result = request('i-aaaa1111，i-bbbb2222、i-cccc3333；i-dddd4444\u3000key＝prod');
    expect(result.draft).toEqual({
      instanceIds: ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333', 'i-dddd4444'],
      keyPairName: 'prod',
      region: 'cn-beijing',
    });
    expect(request('i-aaaa1111 key-id＝kp-abcd1234 region＝cn-shanghai').draft).toEqual({
      instanceIds: ['i-aaaa1111'],
      keyPairId: 'kp-abcd1234',
      region: 'cn-shanghai',
    });
    expect(request('i-aaaa1111 key=生产密钥，i-bbbb2222').draft.keyPairName).toBe('生产密钥');
  });

  it('refuses a full-width id and shows the ASCII form to type', () => {
    const error = refused('ｉ－ａｂｃｄ１２３４ key=prod');
    expect(error.problem).toEqual({
      kind: 'wide_characters',
      token: 'ｉ－ａｂｃｄ１２３４',
      ascii: 'i-abcd1234',
    });
    expect(error.more).toBe(0);
    expect(error.message).toBe(
      '`ｉ－ａｂｃｄ１２３４` is in full-width characters: type it as `i-abcd1234`.',
    );
    expect(refused('i-aaaa1111 ｋｅｙ＝ｐｒｏｄ').problem).toEqual({
      kind: 'wide_characters',
      token: 'ｋｅｙ=ｐｒｏｄ',
      ascii: 'key=prod',
    });
    expect(refused('状态 ａｋ－１').problem).toMatchObject({ ascii: 'ak-1' });
    expect(refused('历史 ２０').problem).toMatchObject({ ascii: '20' });
  });

  it('refuses full-width forms in the modal too, per field', () => {
    const result = parseModalValues(
      { instances: 'i-aaaa1111，ｉ－ｂｂｂｂ２２２２', keyPair: 'ｐｒｏｄ' },
      options,
    );
    expect(result.ok ? {} : result.errors).toEqual({
      instances: {
        problem: { kind: 'wide_characters', token: 'ｉ－ｂｂｂｂ２２２２', ascii: 'i-bbbb2222' },
        more: 0,
      },
      key_pair: { problem: { kind: 'wide_characters', token: 'ｐｒｏｄ', ascii: 'prod' }, more: 0 },
    });
    expect(modalErrors(result).key_pair).toBe(
      '"ｐｒｏｄ" is in full-width characters: type it as "prod".',
    );
    const ok = parseModalValues(
      { instances: 'i-aaaa1111、i-bbbb2222；i-cccc3333', keyPair: '运维密钥' },
      options,
    );
    expect(ok.ok && ok.draft.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333']);
  });
});
