import type { MutationRequest, Step } from '../request.js';
import { chunk, keyPairFields, toSteps } from './steps.js';

// Attach: AttachKeyPair in batches of 100 (run at once, bounded by the executor), then one read
// back of every instance to verify the binding. Instances the preview knows will fail are sent
// anyway: the API's own per-instance answer is what the thread reports.

export function planAttach(
  request: Pick<MutationRequest, 'id' | 'instanceIds' | 'keyPairName' | 'keyPairId'>,
): Step[] {
  const key = keyPairFields(request);
  const batches = chunk(request.instanceIds).map((instanceIds) => ({
    phase: 0,
    action: 'AttachKeyPair' as const,
    instanceIds,
    ...key,
  }));
  return toSteps(request.id, [
    ...batches,
    { phase: 1, action: 'Verify', instanceIds: [...new Set(request.instanceIds)] },
  ]);
}
