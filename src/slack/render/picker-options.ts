// The pickers' options: an instance as "name · id · status · key pair", a key pair as "name ·
// short fingerprint", and a hint as an option of its own at the top (an external select has no
// other place for words). Option text is at most 75 characters: the id is never cut, the name
// and the key pair name are.

import type { types } from '@slack/bolt';
import type { InstanceSnapshot, KeyPairInfo } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { HINT_VALUE } from '../ids.js';
import type { InstanceMatches, KeyPairMatches, PickerHint } from '../pickers/matches.js';
import { MAX_OPTIONS } from '../pickers/matches.js';
import { plain } from './blocks.js';
import { truncateText } from './escape.js';
import { SLACK_LIMITS } from './limits.js';

const SEPARATOR = ' · ';
/** Marks an instance AttachKeyPair would refuse now. */
const BLOCKED = '⛔ ';
const BINDABLE_STATUSES = new Set(['RUNNING', 'STOPPED']);
/** The key pair name never takes more than this while the instance name needs room. */
const KEY_SHARE = 20;

const option = (text: string, value: string): types.PlainTextOption => ({
  text: plain(truncateText(text, SLACK_LIMITS.optionText)),
  value,
});

/** True when AttachKeyPair can bind a key to the instance as it is now. */
export function canTakeKeyPair(instance: Pick<InstanceSnapshot, 'status' | 'osType'>): boolean {
  return instance.osType.toLowerCase() !== 'windows' && BINDABLE_STATUSES.has(instance.status);
}

/** An instance as an option; only an id known (a prefill from an old request): the id alone. */
export function instanceOption(
  instance: InstanceSnapshot | { instanceId: string },
  t: Catalogue,
): types.PlainTextOption {
  const { instanceId } = instance;
  if (!('status' in instance)) return option(instanceId, instanceId);
  const o = t.modal.option;
  const windows = instance.osType.toLowerCase() === 'windows';
  const status = [instance.status || '?', windows ? 'Windows' : ''].filter(Boolean).join(' ');
  const mark = canTakeKeyPair(instance) ? '' : BLOCKED;
  const key = instance.keyPairName || instance.keyPairId;
  const keyText = (cut: number) => (key ? o.keyPair(truncateText(key, cut)) : o.noKeyPair);
  // What is left for the two names once the fixed parts are in; the key pair name gives way first.
  const fixed = mark.length + instanceId.length + status.length + 3 * SEPARATOR.length;
  const room = Math.max(0, SLACK_LIMITS.optionText - fixed);
  let keyPart = keyText(SLACK_LIMITS.optionText);
  if (instance.name.length + keyPart.length > room) keyPart = keyText(KEY_SHARE);
  const name = truncateText(instance.name, Math.max(1, room - keyPart.length));
  const parts = [name, instanceId, status, keyPart].filter(Boolean);
  return option(`${mark}${parts.join(SEPARATOR)}`, instanceId);
}

/** A short fingerprint: its first four bytes. */
export function shortFingerprint(fingerprint: string | undefined): string {
  const bytes = (fingerprint ?? '').split(':').filter(Boolean);
  if (bytes.length === 0) return '';
  return bytes.length > 4 ? `${bytes.slice(0, 4).join(':')}…` : bytes.join(':');
}

/** A key pair as an option; the value is its id, which AttachKeyPair prefers to the name. */
export function keyPairOption(
  keyPair: Pick<KeyPairInfo, 'keyPairId' | 'keyPairName' | 'fingerprint'>,
  t: Catalogue,
): types.PlainTextOption {
  const fp = shortFingerprint(keyPair.fingerprint);
  const tail = fp ? `${SEPARATOR}${t.modal.option.fingerprint(fp)}` : '';
  const name = truncateText(
    keyPair.keyPairName || keyPair.keyPairId,
    SLACK_LIMITS.optionText - tail.length,
  );
  return option(`${name}${tail}`, keyPair.keyPairId || keyPair.keyPairName);
}

export function hintText(hint: PickerHint, t: Catalogue): string {
  const h = t.modal.hint;
  switch (hint.kind) {
    case 'slow':
      return h.slow;
    case 'refused':
      return h.refused(truncateText(hint.code, 40));
    case 'busy':
      return h.busy;
    case 'listing':
      return h.listing(hint.listed);
    case 'truncated':
      return h.truncated(hint.listed);
    case 'more':
      return h.more(hint.shown);
  }
}

/** The first hint as an option (one is enough to read while typing), then what fits. */
function withHint(
  items: types.PlainTextOption[],
  hints: readonly PickerHint[],
  t: Catalogue,
): types.PlainTextOption[] {
  if (hints.length === 0 && items.length <= MAX_OPTIONS) return items;
  const room = MAX_OPTIONS - 1;
  const first = hints[0] ?? { kind: 'more', shown: room };
  const hint = first.kind === 'more' ? { ...first, shown: Math.min(first.shown, room) } : first;
  return [option(hintText(hint, t), `${HINT_VALUE}${hint.kind}`), ...items.slice(0, room)];
}

export function renderInstanceOptions(
  matches: InstanceMatches,
  t: Catalogue,
): { options: types.PlainTextOption[] } {
  const items = matches.instances.map((i) => instanceOption(i, t));
  return { options: withHint(items, matches.hints, t) };
}

export function renderKeyPairOptions(
  matches: KeyPairMatches,
  t: Catalogue,
): { options: types.PlainTextOption[] } {
  const items = matches.keyPairs.map((k) => keyPairOption(k, t));
  return { options: withHint(items, matches.hints, t) };
}
