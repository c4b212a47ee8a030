import { describe, expect, it } from 'vitest';
import {
  type CommandParse,
  type ParseNote,
  type ParseOptions,
  parseCommandText,
  parseModalValues,
} from '../../src/domain/parse.js';
import { KNOWN_REGIONS } from '../../src/domain/regions.js';
import { en } from '../../src/slack/i18n/en.js';
import { describeParseFailure, MRKDWN_FORMAT } from '../../src/slack/render/parse-problems.js';

const options: ParseOptions = { defaultRegion: 'cn-beijing', maxInstances: 20 };

interface RequestRow {
  text: string;
  ids: string[];
  key?: string;
  keyId?: string;
  region?: string;
  notes?: ParseNote[];
}

type Row =
  | RequestRow
  | { text: string; kind: 'open_modal' | 'help' }
  /** An error quoting `token` (as typed, before mrkdwn escaping), plus optional other text. */
  | { text: string; token: string; also?: string[] }
  /** An error about the whole input rather than one token. */
  | { text: string; says: string[] };

const A = 'i-abcd1234';
const B = 'i-efgh5678';
const ok = (
  text: string,
  ids: string[] = [A],
  extra: Partial<Omit<RequestRow, 'text' | 'ids'>> = {},
): Row => ({
  text,
  ids,
  key: 'prod',
  ...extra,
});

const ROWS: [string, Row][] = [
  // empty values and unknown options
  ['empty key=', { text: `${A} key=`, token: 'key=', also: ['key=NAME'] }],
  ['empty region=', { text: `${A} key=prod region=`, token: 'region=' }],
  ['empty key-id=', { text: `${A} key-id=`, token: 'key-id=' }],
  ['key= then a space', { text: `${A} key= prod`, token: 'key=', also: ['no space'] }],
  ['key = with spaces', { text: `${A} key = prod`, token: 'key', also: ['key=NAME'] }],
  ['unknown option', { text: `${A} key=prod foo=bar`, token: 'foo=bar', also: ['key-id='] }],
  ['option without a name', { text: `${A} =prod`, token: '=prod' }],
  ['repeated key=', { text: `${A} key=prod key=test`, token: 'key=test', also: ['twice'] }],
  [
    'repeated region=',
    { text: `${A} key=prod region=cn-beijing region=cn-shanghai`, token: 'region=cn-shanghai' },
  ],
  // ids in the wrong shape
  ['upper-case id', { text: 'I-ABCD1234 key=prod', token: 'I-ABCD1234', also: [A] }],
  ['mixed-case id', { text: `${A} i-EfGh5678 key=prod`, token: 'i-EfGh5678', also: [B] }],
  ['bare i-', { text: 'i- key=prod', token: 'i-' }],
  ['underscore', { text: 'i_abcd1234 key=prod', token: 'i_abcd1234' }],
  ['no prefix', { text: 'abc key=prod', token: 'abc' }],
  ['bang', { text: 'i-abc! key=prod', token: 'i-abc!' }],
  ['too short', { text: 'i-abc key=prod', token: 'i-abc' }],
  ['trailing dot', { text: `${A}. key=prod`, token: `${A}.`, also: [`did you mean ${A}?`] }],
  ['trailing semicolon', { text: `${A}; key=prod`, token: `${A};`, also: [A] }],
  ['parentheses', { text: `(${A}) key=prod`, token: `(${A})`, also: [A] }],
  ['angle brackets, not markup', { text: `<${A}> key=prod`, token: `<${A}>`, also: [A] }],
  ['id too long', { text: `i-${'a'.repeat(41)} key=prod`, token: `i-${'a'.repeat(37)}…` }],
  ['a key pair id without key-id=', { text: `${A} kp-abcd1234`, token: 'kp-abcd1234' }],
  ['a region without region=', { text: `${A} key=prod cn-shanghai`, token: 'cn-shanghai' }],
  // duplicates, separators and invisible characters
  [
    'duplicates',
    ok(`${A} ${A} ${B} ${A} key=prod`, [A, B], {
      notes: [{ kind: 'duplicates_removed', count: 2 }],
    }),
  ],
  [
    'newlines, tabs, CRLF, commas',
    ok(`${A}\n\t${B}\r\n,, ,i-ijkl9012\tkey=prod`, [A, B, 'i-ijkl9012']),
  ],
  ['no-break spaces', ok(`${A}\u00a0${B}\u202fkey=prod`, [A, B])],
  ['zero-width space inside an id', ok('i-abcd\u200b1234 key=prod')],
  ['BOM and word joiner', ok(`\ufeff${A} key=prod\u2060`)],
  ['ZWJ and ZWNJ', ok(`i-ab\u200dcd1234 k\u200cey=prod`)],
  // full-width input: separators and ＝ work, other full-width forms are refused with the ASCII form
  [
    'full-width id and option',
    {
      text: 'ｉ－ａｂｃｄ１２３４ ｋｅｙ＝ｐｒｏｄ',
      token: 'ｉ－ａｂｃｄ１２３４',
      also: ['type it as `i-abcd1234`', '1 more word'],
    },
  ],
  [
    'full-width option name',
    { text: `${A} ｋｅｙ＝prod`, token: 'ｋｅｙ=prod', also: ['`key=prod`'] },
  ],
  [
    'full-width digits in an id',
    { text: 'i-abcd１２３４ key=prod', token: 'i-abcd１２３４', also: [A] },
  ],
  ['full-width equals', ok(`${A} key＝prod region＝cn-shanghai`, [A], { region: 'cn-shanghai' })],
  [
    'ideographic space and commas',
    ok(`${A}\u3000${B}，i-ijkl9012、key=prod`, [A, B, 'i-ijkl9012']),
  ],
  ['full-width semicolons', ok(`${A}；${B}；key=prod；`, [A, B])],
  ['every separator at once', ok(` ，、；\u3000${A} , ，、；\u3000 key=prod`)],
  ['帮助', { text: '帮助', kind: 'help' }],
  ['full-width help', { text: 'ｈｅｌｐ', token: 'ｈｅｌｐ', also: ['`help`'] }],
  ['whitespace only', { text: ' \n\t\u00a0\u3000 ', kind: 'open_modal' }],
  ['zero-width only', { text: '\u200b\ufeff', kind: 'open_modal' }],
  ['help shouted', { text: ' HELP ', kind: 'help' }],
  // Slack markup, raw and escaped
  ['@channel', { text: '<!channel> key=prod', token: '<!channel>', also: ['Slack mentions'] }],
  ['user mention', { text: `<@U123ABC> ${A} key=prod`, token: '<@U123ABC>' }],
  ['channel link', { text: `${A} <#C123|general> key=prod`, token: '<#C123|general>' }],
  ['url', { text: '<http://x|y> key=prod', token: '<http://x|y>', also: ['Slack mentions'] }],
  ['mailto', { text: '<mailto:a@b.c|a@b.c>', token: '<mailto:a@b.c|a@b.c>' }],
  ['escaped @channel', { text: '&lt;!channel&gt; key=prod', token: '<!channel>' }],
  ['escaped mention', { text: `${A} &lt;@U123&gt; key=prod`, token: '<@U123>' }],
  ['escaped ampersand', { text: `${A}&amp;${B} key=prod`, token: `${A}&${B}` }],
  ['redirect', { text: `${A} key=prod &gt; /dev/null`, token: '>' }],
  // code fences and backticks
  ['code fence', ok(`\`\`\`${A} ${B}\`\`\` key=prod`, [A, B])],
  ['multi-line code fence', ok(`\`\`\`\n${A}\n${B}\n\`\`\`\nkey=prod`, [A, B])],
  ['inline code', ok(`\`${A}\`, \`${B}\` key=\`prod\``, [A, B])],
  // regions
  ['unknown region', { text: `${A} key=prod region=us-east-1`, token: 'region=us-east-1' }],
  [
    'upper-case region',
    ok(`${A} key=prod Region=AP-SOUTHEAST-1`, [A], { region: 'ap-southeast-1' }),
  ],
  // key pairs
  ['KEY= upper-case', ok(`KEY=prod ${A}`)],
  ['both key and key-id', ok(`${A} key=prod key-id=kp-abcd1234`, [A], { keyId: 'kp-abcd1234' })],
  [
    'upper-case key-id',
    { text: `${A} key-id=KP-ABCD1234`, token: 'key-id=KP-ABCD1234', also: ['kp-abcd1234'] },
  ],
  ['name starting with a digit', { text: `${A} key=1prod`, token: 'key=1prod' }],
  ['name of one character', { text: `${A} key=a`, token: 'key=a' }],
  ['name too long', { text: `${A} key=${'a'.repeat(65)}`, token: `key=${'a'.repeat(35)}…` }],
  ['Chinese name', ok(`${A} key=生产密钥_01`, [A], { key: '生产密钥_01' })],
  [
    'quoted name',
    { text: `${A} key="prod"`, token: 'key="prod"', also: ['Did you mean key=prod?'] },
  ],
  ['smart quotes around an id', { text: `“${A}” key=prod`, token: `“${A}”`, also: [A] }],
  // emoji and junk
  ['emoji token', { text: `${A} 🚀 key=prod`, token: '🚀' }],
  ['emoji in a name', { text: `${A} key=prod🔑`, token: 'key=prod🔑' }],
  ['shell', { text: `${A} key=prod ; rm -rf /`, token: ';', also: ['3 more words'] }],
  ['command substitution', { text: '$(id) key=prod', token: '$(id)' }],
  ['substitution as key', { text: `${A} key=$(id)`, token: 'key=$(id)' }],
  ['SQL', { text: `${A}' OR '1'='1 key=prod`, token: `${A}'` }],
  ['right-to-left override', { text: `${A} key=prod\u202eevil`, token: 'key=prod\ufffdevil' }],
  ['lone surrogate', { text: `${A} \ud800 key=prod`, token: '\ufffd' }],
  ['NUL byte', { text: `${A}\u0000 key=prod`, token: `${A}\ufffd` }],
  // size
  ['10,000 x', { text: 'x'.repeat(10_000), token: `${'x'.repeat(39)}…` }],
  [
    '10,000 punctuation then a letter',
    { text: `${'!'.repeat(10_000)}a`, token: `${'!'.repeat(39)}…` },
  ],
  ['10,000 spaces', { text: ' '.repeat(10_000), kind: 'open_modal' }],
  [
    'too many ids',
    {
      text: `${Array.from({ length: 21 }, (_, i) => `i-host${i}abc`).join(',')} key=prod`,
      says: ['21 instance ids', 'limit is 20'],
    },
  ],
  [
    'over 10,000 characters of ids',
    {
      text: `${Array.from({ length: 1000 }, (_, i) => `i-${String(i).padStart(8, '0')}`).join(' ')} key=prod`,
      says: ['1,000 instance ids', 'limit is 20'],
    },
  ],
  [
    'over the text limit',
    { text: `${A} `.repeat(10_000), says: ['110,000 characters', 'limit is 100,000'] },
  ],
  ['no key', { text: `${A} ${B}`, says: ['Missing a key pair'] }],
  ['only an option', { text: 'key=prod', says: ['Missing instance ids'] }],
];

const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The English reply text for an error, as the command's ephemeral answer shows it. */
const messageOf = (result: CommandParse) =>
  result.kind === 'error' ? describeParseFailure(result, en, MRKDWN_FORMAT) : '';
const tokenOf = (result: CommandParse) =>
  result.kind === 'error' && 'token' in result.problem ? result.problem.token : undefined;

describe('parseCommandText on hostile input', () => {
  it('has a big enough table', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS)('%s', (_name, row) => {
    const result = parseCommandText(row.text, options);
    if ('ids' in row) {
      expect(result).toEqual({
        kind: 'request',
        draft: {
          instanceIds: row.ids,
          region: row.region ?? 'cn-beijing',
          ...(row.key === undefined ? {} : { keyPairName: row.key }),
          ...(row.keyId === undefined ? {} : { keyPairId: row.keyId }),
        },
        notes: row.notes ?? (row.keyId ? [expect.objectContaining({ kind: 'key_id_wins' })] : []),
      });
    } else if ('kind' in row) {
      expect(result).toEqual({ kind: row.kind });
    } else if ('token' in row) {
      expect(result.kind).toBe('error');
      expect(tokenOf(result)).toBe(row.token);
      const message = messageOf(result);
      expect(message).toContain(`\`${mrkdwn(row.token)}\``);
      for (const text of row.also ?? []) expect(message).toContain(text);
    } else {
      expect(result.kind).toBe('error');
      expect(tokenOf(result)).toBeUndefined();
      const message = messageOf(result);
      for (const text of row.says) expect(message).toContain(text);
    }
  });
});

// A seeded generator, so a failure can be replayed.
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ...['i-', 'kp-', 'key=', 'KEY=', 'key-id=', 'region=', 'cn-beijing', 'CN-SHANGHAI', '='],
  ...[' ', ',', '\n', '\t', '\r', '\u00a0', '\u3000', '，', '、', '\u200b', '\ufeff', '\u2060'],
  ...['`', '```', '<', '>', '&', '&lt;', '&gt;', '&amp;', '&lt;!channel&gt;', '<@U1>', '<#C1|x>'],
  ...['<http://x|y>', '!', '@', '#', '|', '^', '$(', ')', ';', '"', "'", '“', '”', '\\', '%', '.'],
  ...['a', 'Z', '0', '9', 'abcd', 'ｉ', '－', '＝', 'ｋｅｙ', '🚀', '\ud800', '\udc00', '\u202e'],
  ...['\u0000', '\u007f', '生', 'help', 'status', 'history', '50', '51', '-1', 'I-ABCD1234'],
  ...['i-abcd1234', 'i-missing01', 'prod', '…', '\u0301'],
];

// Mostly well-formed words, so the loop also reaches the request path, not only errors.
const WORDS = [
  ...[
    'i-abcd1234',
    'i-efgh5678',
    'i-missing01',
    'ｉ－ｓｔｏｐｐｅｄ０２',
    '`i-noagent04`',
    'I-ABCD1234',
  ],
  ...['key=prod', 'KEY=prod', 'key-id=kp-abcd1234', 'region=cn-shanghai', 'Region=CN-BEIJING'],
  ...['key=', 'foo=bar', '&lt;!here&gt;', '```', '\u200b', '🚀'],
];
const SEPARATORS = [' ', ',', '\n', '\t', '\u00a0', '\u3000', ', ', '，'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomText(random: () => number): string {
  const length = Math.floor(random() * 30);
  let text = '';
  if (random() < 0.5) {
    for (let i = 0; i < length; i += 1) text += pick(random, PIECES);
  } else {
    for (let i = 0; i < length; i += 1) text += pick(random, WORDS) + pick(random, SEPARATORS);
  }
  return text;
}

const KINDS = ['help', 'open_modal', 'status', 'history', 'request', 'error'];
const ID = /^i-[a-z0-9]{4,40}$/;

describe('parser totality', () => {
  it('returns a known, well-formed value for thousands of random nasty strings', () => {
    const random = makeRandom(20240520);
    const kinds = new Set<string>();
    for (let i = 0; i < 3000; i += 1) {
      const text = randomText(random);
      const result = parseCommandText(text, options);
      kinds.add(result.kind);
      expect(KINDS, JSON.stringify(text)).toContain(result.kind);
      if (result.kind === 'error') {
        // mrkdwn-safe: the only & < > left are the entities we wrote.
        const message = messageOf(result);
        expect(message.replace(/&(amp|lt|gt);/g, ''), JSON.stringify(text)).not.toMatch(
          /[<>&\p{Cc}]/u,
        );
        expect(message.length).toBeLessThan(1000);
        const token = tokenOf(result);
        if (token !== undefined) expect(Array.from(token).length).toBeLessThan(41);
      }
      if (result.kind === 'request') {
        const { instanceIds, keyPairName, keyPairId, region } = result.draft;
        expect(instanceIds.length).toBeGreaterThan(0);
        expect(instanceIds.length).toBeLessThanOrEqual(options.maxInstances);
        expect(new Set(instanceIds).size).toBe(instanceIds.length);
        for (const id of instanceIds) expect(id).toMatch(ID);
        expect(keyPairName !== undefined || keyPairId !== undefined).toBe(true);
        expect(KNOWN_REGIONS).toContain(region);
      }
    }
    // The generator really reaches the interesting outcomes.
    expect([...kinds]).toEqual(expect.arrayContaining(['error', 'request', 'open_modal']));
  });

  it('never throws on random modal values either', () => {
    const random = makeRandom(7);
    for (let i = 0; i < 1000; i += 1) {
      const values = {
        instances: randomText(random),
        keyPair: randomText(random),
        region: random() < 0.5 ? null : randomText(random),
      };
      const result = parseModalValues(values, options);
      if (result.ok) {
        for (const id of result.draft.instanceIds) expect(id).toMatch(ID);
      } else {
        for (const field of Object.keys(result.errors)) {
          expect(['instances', 'key_pair', 'region']).toContain(field);
        }
      }
    }
  });

  it('survives non-string values from a sloppy caller', () => {
    const sloppy = parseCommandText as (text: unknown, o: ParseOptions) => unknown;
    expect(sloppy(undefined, options)).toEqual({ kind: 'open_modal' });
    expect(sloppy(42, options)).toEqual({ kind: 'open_modal' });
    const modal = parseModalValues as (values: unknown, o: ParseOptions) => unknown;
    expect(modal({ instances: 5, keyPair: {}, region: [] }, options)).toMatchObject({ ok: false });
  });
});
