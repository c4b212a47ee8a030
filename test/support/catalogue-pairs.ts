// Comparing two catalogues of the same shape (the Slack ones, the doctor's): every key both ways,
// recursively, each leaf with its English and Chinese value. Functions are called with stand-in
// arguments that work as a number, a string, an object or a list, so their output is checked too.

/** Han, CJK punctuation (、。「」) or full-width forms (，：（）). */
export const CJK = /[\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF]/u;

/** Works as any argument: a number (2), text ("x"), any property, a call, or a list. */
export function standIn(): unknown {
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

export type Leaf = { path: string; en: unknown; zh: unknown };

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

/** Every leaf of both catalogues, and every difference in their shapes. */
export function leavesOf(en: unknown, zh: unknown): { leaves: Leaf[]; problems: string[] } {
  const problems: string[] = [];
  return { leaves: pairs(en, zh, '', [], problems), problems };
}

/** A leaf's text: a function called with `args`; an object it returns (or is) as JSON. */
export function say(value: unknown, args: unknown[]): string {
  const out: unknown = typeof value === 'function' ? value(...args) : value;
  return out && typeof out === 'object' ? JSON.stringify(out) : String(out);
}

/** The leaves whose Chinese has no CJK character or equals the English (but for `allowed`). */
export function notChinese(leaves: readonly Leaf[], allowed: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const leaf of leaves) {
    if (allowed.has(leaf.path) || typeof leaf.en === 'number') continue;
    const args = Array.from({ length: (leaf.en as () => void).length || 0 }, standIn);
    const english = say(leaf.en, args);
    const chinese = say(leaf.zh, args);
    if (english === '' && chinese === '') continue;
    if (!CJK.test(chinese) || chinese === english) found.push(`${leaf.path}: ${chinese}`);
  }
  return found;
}

/** Function leaves whose arity differs between the languages. */
export function arityMismatches(leaves: readonly Leaf[]): string[] {
  return leaves
    .filter((l) => typeof l.en === 'function')
    .filter((l) => (l.en as () => void).length !== (l.zh as () => void).length)
    .map((l) => l.path);
}
