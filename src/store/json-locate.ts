// Where a JSON text goes wrong, in words an operator can act on. Node 20's V8 often gives no
// position, so we find it ourselves (best effort, only called after JSON.parse failed).

/** "line 3, column 7", or that the text ends early. */
export function locateSyntaxError(text: string, error: unknown): string {
  const offset = findJsonErrorOffset(text);
  if (offset === undefined) {
    // V8's "Unexpected token 'x', "<excerpt>" is not valid JSON": keep the reason only.
    const message = error instanceof Error ? error.message : String(error);
    return message.split(', "')[0] ?? message;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  if (offset >= text.length) return `it ends early, at line ${line}: the file looks truncated`;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

const JSON_SPACE = /[ \t\n\r]*/y;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_LITERAL = /true|false|null/y;

function findJsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  const expect = (char: string): void => {
    match(JSON_SPACE);
    if (text[at] !== char) throw new JsonStop(at);
    at++;
  };
  const value = (): void => {
    match(JSON_SPACE);
    const open = text[at];
    if (open === '{' || open === '[') {
      const close = open === '{' ? '}' : ']';
      at++;
      match(JSON_SPACE);
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (open === '{') {
          match(JSON_SPACE);
          if (!match(JSON_STRING)) throw new JsonStop(at);
          expect(':');
        }
        value();
        match(JSON_SPACE);
        if (text[at] !== ',') {
          expect(close);
          return;
        }
        at++;
      }
    }
    if (!match(JSON_STRING) && !match(JSON_NUMBER) && !match(JSON_LITERAL)) throw new JsonStop(at);
  };
  try {
    value();
    match(JSON_SPACE);
    return at < text.length ? at : undefined;
  } catch (stop) {
    return stop instanceof JsonStop ? stop.offset : undefined;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}
