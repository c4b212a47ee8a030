import type { ExcludedInstance, MutationRequest, Step } from '../request.js';
import { chunk, keyPairFields, type StepSpec, toSteps } from './steps.js';
import { succeededIds, summarizeRequest } from './summary.js';

// Undo of an attach, planned from what the attach's preview recorded: an instance that had key
// pair K before gets AttachKeyPair K back; one that had none gets DetachKeyPair of the key the
// attach bound. Instances the attach did not bind are left alone, and so are those whose earlier
// key pair is unknown (their preview could not be read): guessing would be worse than nothing.

export interface UndoPlan {
  /** Instances the undo touches, in the attach's order. */
  instanceIds: string[];
  steps: Step[];
  /** Bound by the attach, but left alone, and why. */
  leftAlone: ExcludedInstance[];
  /** How many get each earlier key pair back (by name, or id), and how many lose theirs. */
  restores: Array<{ keyPairName?: string; keyPairId?: string; count: number }>;
  detaches: number;
}

export function planUndo(requestId: string, parent: MutationRequest): UndoPlan {
  const bound = succeededIds(summarizeRequest(parent));
  const before = new Map((parent.preview?.instances ?? []).map((i) => [i.instanceId, i]));
  const unread = new Set(parent.preview?.unread ?? []);
  // Earlier key pairs by id (the API's KeyPairId wins), with the name kept for the card.
  const byKey = new Map<string, { keyPairName?: string; keyPairId?: string; ids: string[] }>();
  const detach: string[] = [];
  const leftAlone: UndoPlan['leftAlone'] = [];
  const touched: string[] = [];

  for (const id of bound) {
    const snapshot = before.get(id);
    // Unread, or absent from the preview (not found then): the earlier key pair is unknown.
    if (!snapshot || unread.has(id)) {
      leftAlone.push({ instanceId: id, reason: 'previous_key_unknown' });
      continue;
    }
    touched.push(id);
    if (!snapshot.keyPairId && !snapshot.keyPairName) {
      detach.push(id);
      continue;
    }
    const groupKey = snapshot.keyPairId ?? `name:${snapshot.keyPairName}`;
    const group = byKey.get(groupKey) ?? { ...keyPairFields(snapshot), ids: [] };
    group.ids.push(id);
    byKey.set(groupKey, group);
  }

  const specs: StepSpec[] = [];
  for (const { ids, ...key } of byKey.values()) {
    // Both fields go (the API uses the id; the name is what the card and thread show).
    for (const instanceIds of chunk(ids)) {
      specs.push({ phase: 0, action: 'AttachKeyPair', instanceIds, ...key });
    }
  }
  // The key pair the attach bound, by its id (an older attach: the one its preview found).
  const attached = keyPairFields({
    keyPairName: parent.keyPairName ?? parent.preview?.keyPair?.keyPairName,
    keyPairId: parent.keyPairId ?? parent.preview?.keyPair?.keyPairId,
  });
  for (const instanceIds of chunk(detach)) {
    specs.push({ phase: 0, action: 'DetachKeyPair', instanceIds, ...attached });
  }
  if (specs.length) specs.push({ phase: 1, action: 'Verify', instanceIds: touched });
  const restores = [...byKey.values()].map(({ ids, ...key }) => ({ ...key, count: ids.length }));
  return {
    instanceIds: touched,
    steps: toSteps(requestId, specs),
    leftAlone,
    restores,
    detaches: detach.length,
  };
}

/** When an attach's undo stops being offered (and approved): UNDO_WINDOW_HOURS after it finished. */
export function undoClosesAt(
  request: Pick<MutationRequest, 'finishedAt'>,
  windowHours: number,
): string | undefined {
  if (!request.finishedAt) return undefined;
  return new Date(Date.parse(request.finishedAt) + windowHours * 3_600_000).toISOString();
}
