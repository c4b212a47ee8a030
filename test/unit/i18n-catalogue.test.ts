import { describe, expect, it } from 'vitest';
import { en } from '../../src/slack/i18n/en.js';
import { catalogue, LOCALES, localeFromSlack } from '../../src/slack/i18n/index.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { arityMismatches, leavesOf, notChinese } from '../support/catalogue-pairs.js';

// Both catalogues are complete (issue 13): the same keys both ways, recursively, functions of the
// same arity, and every Chinese text really in Chinese (test/support/catalogue-pairs.ts).

/** Paths whose Chinese text may have no CJK character, or may equal the English. */
const SAME_IN_BOTH = new Set([
  'locale',
  'num',
  'plural',
  // Tested with real codes in outcome-catalogue.test.ts.
  'explain',
  // Slack's placeholders are English in every language.
  'date.format',
  'home.title',
  // Only ids, names and status codes joined by "·".
  'card.keyPair.found',
  'card.instanceLine.found',
  'results.line.failed',
]);

const leaves = () => leavesOf(en, zh);

describe('catalogue completeness', () => {
  it('has every key of en in zh and of zh in en, with the same kinds of value', () => {
    expect(leaves().problems).toEqual([]);
  });

  it('gives every function the same arity in both languages', () => {
    expect(arityMismatches(leaves().leaves)).toEqual([]);
    expect(leaves().leaves.filter((l) => typeof l.en === 'function').length).toBeGreaterThan(150);
  });

  it('writes every Chinese text in Chinese, not left in English', () => {
    expect(notChinese(leaves().leaves, SAME_IN_BOTH)).toEqual([]);
  });

  it('keeps the allow-list small and real', () => {
    const paths = new Set(leaves().leaves.map((l) => l.path));
    for (const path of SAME_IN_BOTH) expect(paths, path).toContain(path);
    expect(SAME_IN_BOTH.size).toBeLessThan(12);
  });

  it('registers a catalogue for every locale, naming its own locale', () => {
    expect(catalogue('en')).toBe(en);
    expect(catalogue('zh-CN')).toBe(zh);
    for (const locale of LOCALES) expect(catalogue(locale).locale).toBe(locale);
  });

  it('writes numbers with Intl, and Chinese with measure words instead of plurals', () => {
    expect(zh.num(12345)).toBe('12,345');
    expect(zh.card.title.restart(3)).toBe('重启 3 台实例');
    expect(zh.card.title.restart(1)).toBe('重启 1 台实例');
    expect(en.card.title.restart(1)).toBe('Restart 1 instance');
    expect(zh.date.format).toBe('{date_short_pretty} {time}');
  });
});

describe('localeFromSlack', () => {
  it.each([
    ['zh-CN', 'en', 'zh-CN'],
    ['zh-TW', 'en', 'zh-CN'],
    ['zh', 'en', 'zh-CN'],
    ['ZH-cn', 'en', 'zh-CN'],
    ['en-US', 'zh-CN', 'en'],
    ['en-GB', 'zh-CN', 'en'],
    ['ja-JP', 'en', 'en'],
    ['ja-JP', 'zh-CN', 'zh-CN'],
    [undefined, 'en', 'en'],
    [undefined, 'zh-CN', 'zh-CN'],
    ['', 'zh-CN', 'zh-CN'],
    ['zhx-Foo', 'en', 'en'],
  ] as const)('maps %s (default %s) to %s', (slack, fallback, expected) => {
    expect(localeFromSlack(slack, fallback)).toBe(expected);
  });
});
