import type { ExcludedInstance, MutationRequest, Preview, Step } from '../request.js';
import { chunk, keyPairFields, type StepSpec, toSteps, withReadBacks } from './steps.js';
import { succeededIds, summarizeRequest } from './summary.js';

// Undo of an attach, planned from what the attach's preview recorded: an instance that had key
// pair K before gets AttachKeyPair K back; one that had none gets DetachKeyPair of the key the
// attach bound. Instances the attach did not bind are left alone, and so are those whose earlier
// key pair is unknown (their preview could not be read): guessing would be worse than nothing.
// Given what the instances show now, those that no longer carry the attach's key pair (it was
// changed since, maybe rotated out on purpose) or cannot be read now are left alone too: the undo
// must never put back a key that someone removed.

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

/** The key pair an attach bound: its frozen id (an older attach: the one its preview found). */
export function attachedKeyPair(parent: MutationRequest): {
  keyPairName?: string;
  keyPairId?: string;
} {
  return keyPairFields({
    keyPairName: parent.keyPairName ?? parent.preview?.keyPair?.keyPairName,
    keyPairId: parent.keyPairId ?? parent.preview?.keyPair?.keyPairId,
  });
}

/** The instances an undo would touch before looking at them now: bound, earlier key known. */
export function undoCandidates(parent: MutationRequest): string[] {
  return planUndo('', parent).instanceIds;
}

export function planUndo(
  requestId: string,
  parent: MutationRequest,
  /** What the instances show now (read at the undo's ask); absent: not checked. */
  now?: Pick<Preview, 'instances' | 'unread'>,
): UndoPlan {
  const bound = succeededIds(summarizeRequest(parent));
  const attached = attachedKeyPair(parent);
  const current = now && new Map(now.instances.map((i) => [i.instanceId, i]));
  const unreadNow = new Set(now?.unread ?? []);
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
    if (current) {
      const seen = unreadNow.has(id) ? undefined : current.get(id);
      if (!seen) {
        leftAlone.push({ instanceId: id, reason: 'key_unknown_now' });
        continue;
      }
      if (!carries(seen, attached)) {
        leftAlone.push({ instanceId: id, reason: 'key_changed_since' });
        continue;
      }
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
  for (const instanceIds of chunk(detach)) {
    specs.push({ phase: 0, action: 'DetachKeyPair', instanceIds, ...attached });
  }
  const restores = [...byKey.values()].map(({ ids, ...key }) => ({ ...key, count: ids.length }));
  return {
    instanceIds: touched,
    steps: toSteps(requestId, withReadBacks(specs)),
    leftAlone,
    restores,
    detaches: detach.length,
  };
}

/** By id (an older attach without one: by name). */
function carries(
  instance: { keyPairId?: string; keyPairName?: string },
  key: { keyPairId?: string; keyPairName?: string },
): boolean {
  if (key.keyPairId) return instance.keyPairId === key.keyPairId;
  return !!key.keyPairName && instance.keyPairName === key.keyPairName;
}

/** When an attach's undo stops being offered (and approved): UNDO_WINDOW_HOURS after it finished. */
export function undoClosesAt(
  request: Pick<MutationRequest, 'finishedAt'>,
  windowHours: number,
): string | undefined {
  if (!request.finishedAt) return undefined;
  return new Date(Date.parse(request.finishedAt) + windowHours * 3_600_000).toISOString();
}
