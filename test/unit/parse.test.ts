import { describe, expect, it } from 'vitest';
import {
  type CommandParse,
  type ParseOptions,
  parseCommandText,
  parseModalValues,
  USAGE,
} from '../../src/domain/parse.js';
import { isKnownRegion, KNOWN_REGIONS, knownRegionsWith } from '../../src/domain/regions.js';

const options: ParseOptions = { defaultRegion: 'cn-beijing', maxInstances: 5 };

function request(text: string, opts: ParseOptions = options) {
  const result = parseCommandText(text, opts);
  if (result.kind !== 'request')
    throw new Error(`expected a request, got ${JSON.stringify(result)}`);
  return result;
}

function errorOf(result: CommandParse): { message: string; token?: string } {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

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
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain('key-id wins over key=');
  });

  it('removes duplicate ids, keeps the first order, and says how many went', () => {
    const result = request('i-bbbb2222 i-aaaa1111 i-bbbb2222 i-aaaa1111 i-bbbb2222 key=prod');
    expect(result.draft.instanceIds).toEqual(['i-bbbb2222', 'i-aaaa1111']);
    expect(result.notes).toEqual(['3 duplicate ids were removed']);
    expect(request('i-aaaa1111 i-aaaa1111 key=prod').notes).toEqual(['1 duplicate id was removed']);
  });

  it('notes that key=kp-… is read as a name', () => {
    const result = request('i-aaaa1111 key=kp-abcd1234');
    expect(result.draft.keyPairName).toBe('kp-abcd1234');
    expect(result.draft.keyPairId).toBeUndefined();
    expect(result.notes.join(' ')).toContain('key-id=');
  });

  it('accepts exactly maxInstances unique ids and refuses one more, giving both numbers', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-host${i}abc`).join(' ');
    expect(request(`${ids(5)} key=prod`).draft.instanceIds).toHaveLength(5);
    const error = errorOf(parseCommandText(`${ids(7)} key=prod`, options));
    expect(error.message).toContain('7 instance ids');
    expect(error.message).toContain('limit is 5');
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
    expect(error.token).toBe('region=cn-beijing');
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
    expect(errorOf(parseCommandText('status', options)).message).toContain('status REQUEST-ID');
    expect(errorOf(parseCommandText('status r1 r2', options)).token).toBe('r2');
    const bad = errorOf(parseCommandText('status $(id)', options));
    expect(bad.token).toBe('$(id)');
    expect(bad.message).toContain('`$(id)`');
  });

  it('reads history with a default of 10 and N from 1 to 50', () => {
    expect(parseCommandText('history', options)).toEqual({ kind: 'history', limit: 10 });
    expect(parseCommandText('History 1', options)).toEqual({ kind: 'history', limit: 1 });
    expect(parseCommandText('history 50', options)).toEqual({ kind: 'history', limit: 50 });
  });

  it('refuses a history count that is not a whole number from 1 to 50', () => {
    for (const n of ['0', '51', '-1', '1.5', 'ten', '1e1', '100000']) {
      const error = errorOf(parseCommandText(`history ${n}`, options));
      expect(error.token).toBe(n);
      expect(error.message).toContain(`\`${n}\``);
      expect(error.message).toContain('1 to 50');
    }
    expect(errorOf(parseCommandText('history 5 6', options)).token).toBe('6');
  });
});

describe('parseCommandText: errors', () => {
  it('asks for a key pair when none is given', () => {
    const error = errorOf(parseCommandText('i-aaaa1111', options));
    expect(error.message).toContain('key pair');
    expect(error.message).toContain('key=NAME');
    expect(error.message).not.toContain('instance ids (');
  });

  it('asks for ids when only options are given, and for both when both are missing', () => {
    const noIds = errorOf(parseCommandText('key=prod', options));
    expect(noIds.message).toContain('instance ids');
    expect(noIds.message).not.toContain('key=NAME');
    const neither = errorOf(parseCommandText('region=cn-beijing', options));
    expect(neither.message).toContain('instance ids');
    expect(neither.message).toContain('key=NAME');
  });

  it('quotes an empty option and says how to fill it', () => {
    const error = errorOf(parseCommandText('i-aaaa1111 key=', options));
    expect(error.token).toBe('key=');
    expect(error.message).toContain('`key=`');
    expect(error.message).toContain('key=NAME');
  });

  it('quotes an unknown option and lists the real ones', () => {
    const error = errorOf(parseCommandText('i-aaaa1111 key=prod foo=bar', options));
    expect(error.token).toBe('foo=bar');
    expect(error.message).toContain('`foo=bar`');
    expect(error.message).toContain('key-id=');
    expect(error.message).toContain('region=');
  });

  it('quotes an unknown region and lists the known ones', () => {
    const error = errorOf(parseCommandText('i-aaaa1111 key=prod region=mars-1', options));
    expect(error.message).toContain('`region=mars-1`');
    for (const region of KNOWN_REGIONS) expect(error.message).toContain(region);
  });

  it('names a repeated option', () => {
    const error = errorOf(parseCommandText('i-aaaa1111 key=prod key=test', options));
    expect(error.token).toBe('key=test');
    expect(error.message).toContain('key= is given twice');
  });

  it('suggests the lower-case form of an upper-case id', () => {
    const error = errorOf(parseCommandText('I-AAAA1111 key=prod', options));
    expect(error.message).toContain('`I-AAAA1111`');
    expect(error.message).toContain('did you mean i-aaaa1111?');
  });

  it('mentions how many other words were wrong after the first', () => {
    const error = errorOf(parseCommandText('one two three key=prod', options));
    expect(error.token).toBe('one');
    expect(error.message).toContain('2 more words');
  });
});

describe('USAGE', () => {
  it('shows every form with examples and is safe to post as mrkdwn', () => {
    for (const part of ['key=NAME', 'key-id=kp-', 'region=', 'status', 'history', 'help']) {
      expect(USAGE).toContain(part);
    }
    expect(USAGE).toContain('/attach-key i-');
    expect(USAGE).not.toMatch(/[<>&]/);
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
    expect(result.ok && result.notes).toEqual(['1 duplicate id was removed']);
  });

  it('keys every field error by its block id', () => {
    const result = parseModalValues({ instances: '', keyPair: '', region: 'mars-1' }, options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['instances', 'key_pair', 'region']);
    expect(result.errors.instances).toContain('at least one instance id');
    expect(result.errors.key_pair).toContain('key pair name');
    expect(result.errors.region).toContain('"mars-1"');
  });

  it('reports only the field that is wrong', () => {
    const cases: [Parameters<typeof parseModalValues>[0], string, string][] = [
      [{ instances: 'i-aaaa1111 I-BBBB2222', keyPair: 'prod' }, 'instances', 'i-bbbb2222'],
      [{ instances: 'i-aaaa1111 key=prod', keyPair: 'prod' }, 'instances', '"key=prod"'],
      [{ instances: '<!channel>', keyPair: 'prod' }, 'instances', 'Slack mentions'],
      [{ instances: 'i-aaaa1111', keyPair: 'my key' }, 'key_pair', 'space'],
      [{ instances: 'i-aaaa1111', keyPair: 'kp-my_key' }, 'key_pair', '"kp-my_key"'],
      [{ instances: 'i-aaaa1111', keyPair: 'KP-ABCD1234' }, 'key_pair', 'kp-abcd1234'],
      [{ instances: 'i-aaaa1111', keyPair: '9lives' }, 'key_pair', '"9lives"'],
      [{ instances: 'i-aaaa1111', keyPair: 'key=prod' }, 'key_pair', 'without key='],
    ];
    for (const [values, field, text] of cases) {
      const result = parseModalValues(values, options);
      expect(result.ok ? {} : result.errors, JSON.stringify(values)).toEqual({
        [field]: expect.stringContaining(text),
      });
    }
  });

  it('refuses more than maxInstances ids in the instances field', () => {
    const ids = Array.from({ length: 6 }, (_, i) => `i-host${i}abc`).join('\n');
    const result = parseModalValues({ instances: ids, keyPair: 'prod' }, options);
    expect(result).toEqual({
      ok: false,
      errors: { instances: expect.stringContaining('limit is 5') },
    });
  });

  it('treats missing values like empty ones', () => {
    const result = parseModalValues({}, options);
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual(['instances', 'key_pair']);
  });
});
