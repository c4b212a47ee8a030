import type { AppliedKey } from './apply-types.js';
import { isKeyType, type PublicKeyType } from './public-key.js';

// The one script "apply now" runs on an instance through Cloud Assistant: a fixed template whose
// only inserted values are a validated key (type and base64 blob), the key it replaces, and the
// request id in the marker comment. It adds the key line to the running user's
// ~/.ssh/authorized_keys only if that exact key is absent, removes the replaced key's line, and
// touches nothing else; a second run changes nothing. Also here: reading a script back into its
// values (the simulator runs only this template) and the script's effect on a file, as a model.

export interface ScriptKey {
  type: PublicKeyType;
  blob: string;
}

export interface ApplyScriptInput {
  requestId: string;
  key: ScriptKey;
  /** The key pair the attach replaced: its line is removed. */
  replaces?: ScriptKey;
}

const BLOB = /^[A-Za-z0-9+/]+={0,2}$/;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const SCRIPT_MARKER = 'attach-key-bot';
/** The last line the script prints when it succeeds. */
const RESULT_LINE = /^attach-key-bot: (added|present) removed=(\d+)$/;

const TEMPLATE = `#!/bin/bash
# attach-key-bot apply-now v1 (request {{REQUEST}})
# Adds one public key to this user's ~/.ssh/authorized_keys unless that exact key is there, and
# removes the line of the key it replaces. No other line changes; running it again changes nothing.
set -eu
umask 077
KEY_TYPE='{{KEY_TYPE}}'
KEY_BLOB='{{KEY_BLOB}}'
OLD_TYPE='{{OLD_TYPE}}'
OLD_BLOB='{{OLD_BLOB}}'
MARKER='attach-key-bot {{REQUEST}}'
home=\${HOME:-}
[ -n "$home" ] || home=$(getent passwd "$(id -un)" | cut -d: -f6)
[ -d "$home" ] || { echo "attach-key-bot: no home directory for $(id -un)" >&2; exit 3; }
dir="$home/.ssh"
file="$dir/authorized_keys"
tmp=''
trap 'rm -f "$tmp"' EXIT
if [ ! -d "$dir" ]; then mkdir -m 700 "$dir"; chown "$(id -u):$(id -g)" "$dir"; fi
if [ ! -e "$file" ]; then : > "$file"; chmod 600 "$file"; chown "$(id -u):$(id -g)" "$file"; fi
has() {
  awk -v t="$1" -v b="$2" '/^[[:space:]]*#/ { next }
    { for (i = 1; i < NF; i++) if ($i == t && $(i + 1) == b) f = 1 } END { exit !f }' "$file"
}
effect=present
if ! has "$KEY_TYPE" "$KEY_BLOB"; then
  if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then printf '\\n' >> "$file"; fi
  printf '%s %s %s\\n' "$KEY_TYPE" "$KEY_BLOB" "$MARKER" >> "$file"
  effect=added
fi
removed=0
if [ -n "$OLD_BLOB" ] && [ "$OLD_BLOB" != "$KEY_BLOB" ] && has "$OLD_TYPE" "$OLD_BLOB"; then
  tmp=$(mktemp "$dir/.authorized_keys.XXXXXX")
  removed=$(awk -v t="$OLD_TYPE" -v b="$OLD_BLOB" -v out="$tmp" '
    { m = 0; if ($0 !~ /^[[:space:]]*#/) for (i = 1; i < NF; i++) if ($i == t && $(i + 1) == b) m = 1 }
    m { n++; next } { print > out } END { close(out); print n + 0 }' "$file")
  if [ -L "$file" ]; then cat "$tmp" > "$file"; else chmod "$(stat -c %a "$file")" "$tmp"; mv -f "$tmp" "$file"; fi
fi
if command -v restorecon > /dev/null 2>&1; then restorecon -R "$dir" > /dev/null 2>&1 || true; fi
echo "attach-key-bot: $effect removed=$removed"
`;

/** The script for these values; throws on a value that is not a validated key or request id. */
export function renderApplyScript(input: ApplyScriptInput): string {
  const { requestId, key, replaces } = input;
  if (!REQUEST_ID.test(requestId)) throw new Error(`not a request id: ${requestId.slice(0, 70)}`);
  for (const k of replaces ? [key, replaces] : [key]) {
    if (!isKeyType(k.type) || !BLOB.test(k.blob)) throw new Error('not a validated public key');
  }
  const values: Record<string, string> = {
    REQUEST: requestId,
    KEY_TYPE: key.type,
    KEY_BLOB: key.blob,
    OLD_TYPE: replaces?.type ?? '',
    OLD_BLOB: replaces?.blob ?? '',
  };
  return TEMPLATE.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => values[name] ?? '');
}

/** The values of a script that is exactly this template, or undefined for any other script. */
export function readApplyScript(script: string): ApplyScriptInput | undefined {
  const value = (name: string) => new RegExp(`^${name}='([^'\\n]*)'$`, 'm').exec(script)?.[1];
  const marker = value('MARKER');
  const type = value('KEY_TYPE');
  const blob = value('KEY_BLOB');
  const oldType = value('OLD_TYPE');
  const oldBlob = value('OLD_BLOB');
  if (!marker?.startsWith(`${SCRIPT_MARKER} `) || type === undefined || blob === undefined) {
    return undefined;
  }
  if (!isKeyType(type) || (oldType && !isKeyType(oldType))) return undefined;
  const input: ApplyScriptInput = {
    requestId: marker.slice(SCRIPT_MARKER.length + 1),
    key: { type, blob },
    ...(oldType && oldBlob ? { replaces: { type: oldType as PublicKeyType, blob: oldBlob } } : {}),
  };
  try {
    return renderApplyScript(input) === script ? input : undefined;
  } catch {
    return undefined;
  }
}

/** What the script's last line says it did. */
export type ScriptResult = AppliedKey;

/** What the script's last line says it did, or undefined when it is not that line. */
export function readScriptResult(output: string): ScriptResult | undefined {
  const match = RESULT_LINE.exec(lastLine(output));
  if (!match) return undefined;
  return { effect: match[1] as ScriptResult['effect'], removed: Number(match[2]) };
}

/** The last non-empty line of an output. */
export function lastLine(output: string): string {
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}

/**
 * The script's effect on an authorized_keys file (undefined: there is none), as a model: the
 * simulator applies it, and a test holds it to what bash does with the real script.
 */
export function applyScriptEffect(
  file: string | undefined,
  input: ApplyScriptInput,
): { file: string; result: ScriptResult } {
  let text = file ?? '';
  const { key, replaces, requestId } = input;
  let effect: ScriptResult['effect'] = 'present';
  if (!hasKey(text, key)) {
    if (text !== '' && !text.endsWith('\n')) text += '\n';
    text += `${key.type} ${key.blob} ${SCRIPT_MARKER} ${requestId}\n`;
    effect = 'added';
  }
  let removed = 0;
  if (replaces?.blob && replaces.blob !== key.blob && hasKey(text, replaces)) {
    const kept: string[] = [];
    for (const line of splitLines(text)) {
      if (lineHasKey(line, replaces)) removed += 1;
      else kept.push(line);
    }
    // awk prints every kept line with a newline.
    text = kept.map((l) => `${l}\n`).join('');
  }
  return { file: text, result: { effect, removed } };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function hasKey(text: string, key: ScriptKey): boolean {
  return splitLines(text).some((line) => lineHasKey(line, key));
}

/** As the awk in the script: not a comment, and the type followed by the blob as fields. */
function lineHasKey(line: string, key: ScriptKey): boolean {
  if (/^[ \t]*#/.test(line)) return false;
  const fields = line.split(/[ \t]+/).filter(Boolean);
  return fields.some((f, i) => f === key.type && fields[i + 1] === key.blob);
}
