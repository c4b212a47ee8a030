import { describe, expect, it } from 'vitest';
import { enDoctor } from '../../src/doctor/i18n/en.js';
import { doctorTexts, localeFromEnv } from '../../src/doctor/i18n/index.js';
import { zhDoctor } from '../../src/doctor/i18n/zh.js';
import { ERROR_EXPLANATIONS } from '../../src/domain/outcome.js';
import { LOCALES } from '../../src/slack/i18n/index.js';
import { arityMismatches, leavesOf, notChinese } from '../support/catalogue-pairs.js';

// The doctor's two catalogues are complete, like the Slack ones (issue 13): the same keys both
// ways, functions of the same arity, every Chinese text in Chinese. zhDoctor is typed as
// DoctorTexts, so a key missing there is already a compile error; this checks the rest.

/** Paths whose Chinese may have no CJK character, or may equal the English. */
const SAME_IN_BOTH = new Set([
  'locale',
  // "Code (HTTP 400) — " + the outcome catalogue's line, which is checked per code below.
  'volc.failure.explained',
]);

const leaves = () => leavesOf(enDoctor, zhDoctor);

describe('doctor catalogue completeness', () => {
  it('has every key of en in zh and of zh in en, with the same kinds of value', () => {
    expect(leaves().problems).toEqual([]);
  });

  it('gives every function the same arity in both languages', () => {
    expect(arityMismatches(leaves().leaves)).toEqual([]);
    expect(leaves().leaves.filter((l) => typeof l.en === 'function').length).toBeGreaterThan(60);
  });

  it('writes every Chinese text in Chinese, not left in English', () => {
    expect(notChinese(leaves().leaves, SAME_IN_BOTH)).toEqual([]);
  });

  it('keeps the allow-list small and real', () => {
    const paths = new Set(leaves().leaves.map((l) => l.path));
    for (const path of SAME_IN_BOTH) expect(paths, path).toContain(path);
    expect(SAME_IN_BOTH.size).toBeLessThan(4);
  });

  it('registers a catalogue for every locale, naming its own locale', () => {
    for (const locale of LOCALES) expect(doctorTexts(locale).locale).toBe(locale);
    expect(doctorTexts('en')).toBe(enDoctor);
    expect(doctorTexts('zh-CN')).toBe(zhDoctor);
  });

  it('splits every outcome line into what happened and the fix, in both languages', () => {
    for (const code of Object.keys(ERROR_EXPLANATIONS) as (keyof typeof ERROR_EXPLANATIONS)[]) {
      const english = enDoctor.outcome.explanations[code].includes(enDoctor.outcomeFixAfter);
      const chinese = zhDoctor.outcome.explanations[code].includes(zhDoctor.outcomeFixAfter);
      expect(chinese, code).toBe(english);
    }
  });

  it('gives the labels one width, so the check names line up', () => {
    for (const label of Object.values(enDoctor.labels)) {
      expect(enDoctor.line(label, 'N', 'd').indexOf('N')).toBe(5);
    }
    // Two Han characters each: as wide as "FAIL" in a terminal.
    for (const label of Object.values(zhDoctor.labels))
      expect(label).toMatch(/^\p{Script=Han}{2}$/u);
  });
});

describe('localeFromEnv (DEFAULT_LOCALE when the config does not parse)', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    [' zh-CN ', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en', 'en'],
    ['ja-JP', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ] as const)('reads %s as %s', (value, expected) => {
    expect(localeFromEnv({ DEFAULT_LOCALE: value })).toBe(expected);
  });
});
