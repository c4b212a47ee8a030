import type { MutationRequest, Preview } from '../request.js';

// What the approval will do to each instance, from the preview (issue 9): which key pair it
// replaces, which instances have none yet (password login stops), and which will fail and why.
// Pure: the card words it.

export interface KeyGroup {
  keyPairName?: string;
  keyPairId?: string;
  instanceIds: string[];
}

export interface PreviewSummary {
  /** False when no instance could be read (the card says "preview unavailable"). */
  available: boolean;
  /** Attach: instances carrying another key pair, by that key pair. */
  replaces: KeyGroup[];
  /** Already carry the key pair asked for: binding it again changes nothing. */
  alreadyBound: string[];
  /** Found without a key pair: password login stops working once one is bound. */
  noKeyPair: string[];
  windows: string[];
  notFound: string[];
  /** In a state the operation refuses (with the state). */
  wrongStatus: Array<{ instanceId: string; status: string }>;
  /** Ready as they are (restart: RUNNING; undo: bound as the attach left them). */
  ready: string[];
  /** Undo: the instance now shows another key pair than the one the attach bound. */
  changedSince: string[];
  unread: string[];
}

const BINDABLE = new Set(['RUNNING', 'STOPPED']);

// A stored request's preview never changes, but its card is drawn again on every state change:
// the summary is kept per preview (for the same instances, kind and key pair), so a card of a
// 5,000-instance request does not walk every instance on each journal write.
const summaries = new WeakMap<object, { of: SummaryInputs; summary: PreviewSummary }>();
type SummaryInputs = Pick<MutationRequest, 'instanceIds' | 'kind' | 'keyPairId' | 'keyPairName'>;

/** What the preview says about each instance; the same (shared, not to be changed) per preview. */
export function summarizePreview(request: MutationRequest): PreviewSummary | undefined {
  const preview = request.preview;
  if (!preview) return undefined;
  const kept = summaries.get(preview);
  const { instanceIds, kind, keyPairId, keyPairName } = request;
  const of = { instanceIds, kind, keyPairId, keyPairName };
  if (kept && (Object.keys(of) as Array<keyof SummaryInputs>).every((k) => kept.of[k] === of[k])) {
    return kept.summary;
  }
  const summary = computeSummary(request, preview);
  summaries.set(preview, { of, summary });
  return summary;
}

function computeSummary(request: MutationRequest, preview: Preview): PreviewSummary {
  const byId = new Map(preview.instances.map((i) => [i.instanceId, i]));
  const unread = new Set(preview.unread);
  const summary: PreviewSummary = {
    available: preview.instances.length > 0 || preview.unread.length < request.instanceIds.length,
    replaces: [],
    alreadyBound: [],
    noKeyPair: [],
    windows: [],
    notFound: [],
    wrongStatus: [],
    ready: [],
    changedSince: [],
    unread: [...unread],
  };
  const groups = new Map<string, KeyGroup>();
  const asked = { keyPairId: request.keyPairId, keyPairName: request.keyPairName };
  const isAsked = (i: { keyPairId?: string; keyPairName?: string }) =>
    (!!asked.keyPairId && i.keyPairId === asked.keyPairId) ||
    (!asked.keyPairId && !!asked.keyPairName && i.keyPairName === asked.keyPairName) ||
    (!!preview.keyPair && i.keyPairId === preview.keyPair.keyPairId);

  for (const id of new Set(request.instanceIds)) {
    if (unread.has(id)) continue;
    const instance = byId.get(id);
    if (!instance) {
      summary.notFound.push(id);
      continue;
    }
    if (request.kind === 'restart') {
      if (instance.status === 'RUNNING') summary.ready.push(id);
      else summary.wrongStatus.push({ instanceId: id, status: instance.status });
      continue;
    }
    if (instance.osType.toLowerCase() === 'windows') {
      summary.windows.push(id);
      continue;
    }
    if (!BINDABLE.has(instance.status)) {
      summary.wrongStatus.push({ instanceId: id, status: instance.status });
      continue;
    }
    if (request.kind === 'undo') {
      if (isAsked(instance)) summary.ready.push(id);
      else summary.changedSince.push(id);
      continue;
    }
    if (!instance.keyPairId && !instance.keyPairName) summary.noKeyPair.push(id);
    else if (isAsked(instance)) summary.alreadyBound.push(id);
    else {
      const key = instance.keyPairId ?? `name:${instance.keyPairName}`;
      const group = groups.get(key) ?? {
        ...(instance.keyPairName ? { keyPairName: instance.keyPairName } : {}),
        ...(instance.keyPairId ? { keyPairId: instance.keyPairId } : {}),
        instanceIds: [],
      };
      group.instanceIds.push(id);
      groups.set(key, group);
    }
  }
  summary.replaces = [...groups.values()].sort(
    (a, b) => b.instanceIds.length - a.instanceIds.length,
  );
  return summary;
}
