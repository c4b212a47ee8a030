import { describe, expect, it } from 'vitest';
import { en } from '../../src/slack/i18n/en.js';
import { catalogue, LOCALES, localeFromSlack } from '../../src/slack/i18n/index.js';
import { zh } from '../../src/slack/i18n/zh.js';

// Both catalogues are complete (issue 13): the same keys both ways, recursively, functions of the
// same arity, and every Chinese text really in Chinese. Functions are called with a stand-in
// argument that works as a number, a string, an object or a list, so their output is checked too.

/** Han, CJK punctuation (、。「」) or full-width forms (，：（）). */
const CJK = /[\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF]/u;

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

/** Works as any argument: a number (2), text ("x"), any property, a call, or a list. */
function standIn(): unknown {
  const list = ['x', 'y'];
  const proxy: unknown = new Proxy(() => undefined, {
    get(_target, prop) {
      if (prop === Symbol.toPrimitive) return (hint: string) => (hint === 'number' ? 2 : 'x');
      if (prop === Symbol.iterator) return list[Symbol.iterator].bind(list);
      if (prop === 'length') return 2;
      const method =
        typeof prop === 'string' ? (list as unknown as Record<string, unknown>)[prop] : undefined;
      if (typeof method === 'function') return method.bind(list);
      return proxy;
    },
    apply: () => proxy,
  });
  return proxy;
}

type Leaf = { path: string; en: unknown; zh: unknown };

function pairs(a: unknown, b: unknown, path: string, out: Leaf[], problems: string[]): Leaf[] {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) {
    problems.push(`${path}: ${typeof a} in English, ${typeof b} in Chinese`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) problems.push(`${path}: ${a.length} items vs ${b.length}`);
    for (const [i, item] of a.entries()) pairs(item, b[i], `${path}[${i}]`, out, problems);
  } else if (a && b && typeof a === 'object') {
    const left = Object.keys(a).sort();
    const right = Object.keys(b as object).sort();
    for (const k of left.filter((k) => !right.includes(k)))
      problems.push(`${path}.${k}: not in zh`);
    for (const k of right.filter((k) => !left.includes(k)))
      problems.push(`${path}.${k}: not in en`);
    for (const k of left.filter((k) => right.includes(k))) {
      const key = path ? `${path}.${k}` : k;
      pairs(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        key,
        out,
        problems,
      );
    }
  } else {
    out.push({ path, en: a, zh: b });
  }
  return out;
}

function leaves(): { leaves: Leaf[]; problems: string[] } {
  const problems: string[] = [];
  return { leaves: pairs(en, zh, '', [], problems), problems };
}

const say = (value: unknown, args: unknown[]): string =>
  typeof value === 'function' ? String(value(...args)) : String(value);

describe('catalogue completeness', () => {
  it('has every key of en in zh and of zh in en, with the same kinds of value', () => {
    expect(leaves().problems).toEqual([]);
  });

  it('gives every function the same arity in both languages', () => {
    const mismatched = leaves()
      .leaves.filter((l) => typeof l.en === 'function')
      .filter((l) => (l.en as () => void).length !== (l.zh as () => void).length)
      .map((l) => l.path);
    expect(mismatched).toEqual([]);
    expect(leaves().leaves.filter((l) => typeof l.en === 'function').length).toBeGreaterThan(150);
  });

  it('writes every Chinese text in Chinese, not left in English', () => {
    const notChinese: string[] = [];
    for (const leaf of leaves().leaves) {
      if (SAME_IN_BOTH.has(leaf.path) || typeof leaf.en === 'number') continue;
      const args = Array.from({ length: (leaf.en as () => void).length || 0 }, standIn);
      const english = say(leaf.en, args);
      const chinese = say(leaf.zh, args);
      if (english === '' && chinese === '') continue;
      if (!CJK.test(chinese) || chinese === english) notChinese.push(`${leaf.path}: ${chinese}`);
    }
    expect(notChinese).toEqual([]);
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
