// One line per instance on the card: id, name, status and current key pair from the preview. Cut
// to a text budget; the rest is counted and `status` named as the way to see them all.

import type { InstanceSnapshot, MutationRequest, Preview } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { codeSpan, escapeMrkdwn, truncateText } from './escape.js';

type Lookup = {
  hasPreview: boolean;
  get(id: string): InstanceSnapshot | undefined;
  unread(id: string): boolean;
};
// Per preview: a card is drawn again on every state change, its preview never changes.
const lookups = new WeakMap<Preview, Lookup>();

/** Looks instances up in the preview by id (one map, however many lines). */
export function previewLookup(request: MutationRequest): Lookup {
  const preview = request.preview;
  const kept = preview && lookups.get(preview);
  if (kept) return kept;
  const byId = new Map((preview?.instances ?? []).map((i) => [i.instanceId, i]));
  const unread = new Set(preview?.unread ?? []);
  const lookup = {
    hasPreview: !!preview,
    get: (id: string) => byId.get(id),
    unread: (id: string) => unread.has(id),
  };
  if (preview) lookups.set(preview, lookup);
  return lookup;
}

export function instanceLine(lookup: Lookup, id: string, t: Catalogue): string {
  const l = t.card.instanceLine;
  const code = codeSpan(id, 80);
  if (!lookup.hasPreview) return code;
  const found = lookup.get(id);
  if (found) {
    const key = found.keyPairName || found.keyPairId;
    return l.found(
      code,
      escapeMrkdwn(truncateText(found.name || '—', 60)),
      escapeMrkdwn(truncateText(found.status, 40)),
      key ? codeSpan(key, 64) : l.noKey,
    );
  }
  return lookup.unread(id) ? l.unread(code) : l.notFound(code);
}

/** Every instance line that fits `budget` characters, then "… and N more: <how to see them>". */
export function listInstanceLines(
  request: MutationRequest,
  t: Catalogue,
  budget: number,
  statusCommand: string,
): string {
  const ids = [...new Set(request.instanceIds)];
  const lookup = previewLookup(request);
  const compact = !lookup.hasPreview;
  const lines: string[] = [];
  let used = 0;
  for (const [i, id] of ids.entries()) {
    const line = instanceLine(lookup, id, t);
    const reserve = i < ids.length - 1 ? t.card.more(ids.length, statusCommand).length + 2 : 0;
    if (used + line.length + 2 + reserve > budget) {
      const rest = t.card.more(ids.length - lines.length, statusCommand);
      return `${lines.join(compact ? ', ' : '\n')}\n${rest}`;
    }
    lines.push(line);
    used += line.length + 2;
  }
  return lines.join(compact ? ', ' : '\n');
}
