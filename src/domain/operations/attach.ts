import type { MutationRequest, Step } from '../request.js';
import { chunk, keyPairFields, toSteps, withReadBacks } from './steps.js';

// Attach: AttachKeyPair in batches of 100 (run at once, bounded by the executor), each batch read
// back (DescribeInstances) as soon as it is answered, to verify the binding. Instances the preview knows will fail are sent
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
  return toSteps(request.id, withReadBacks(batches));
}
