import { clientTokenFor, MAX_BATCH_SIZE } from '../batches.js';
import type { Step, StepAction } from '../request.js';

// Building blocks of every plan: planned steps with their ClientTokens. Pure and deterministic: a
// request re-derives exactly the same steps and tokens from its id.

/** Consecutive chunks of at most `size`, duplicates dropped (first occurrence kept). */
export function chunk(ids: readonly string[], size = MAX_BATCH_SIZE): string[][] {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += size) {
    chunks.push(unique.slice(start, start + size));
  }
  return chunks;
}

/** A step before it is numbered and journaled. */
export type StepSpec = Pick<
  Step,
  | 'phase'
  | 'wave'
  | 'action'
  | 'instanceIds'
  | 'keyPairName'
  | 'keyPairId'
  | 'timeoutMs'
  | 'replaces'
  | 'invocationStep'
  | 'verifies'
>;

/** Numbers the specs in order; mutations that take one get the ClientToken of their index. */
export function toSteps(requestId: string, specs: readonly StepSpec[]): Step[] {
  return specs.map((spec, index) => {
    const step: Step = { index, ...spec, state: 'planned', sendCount: 0 };
    if (isMutation(spec.action)) step.clientToken = clientTokenFor(requestId, index);
    return step;
  });
}

/**
 * The specs with a read-back (Verify) of each key pair batch, appended after every other spec so
 * that the batches keep their indexes (and ClientTokens); each names the batch it reads back and
 * runs as soon as that batch's call is answered (design.md §3, issue 20).
 */
export function withReadBacks(specs: readonly StepSpec[]): StepSpec[] {
  const reads: StepSpec[] = [];
  specs.forEach((spec, index) => {
    if (spec.action !== 'AttachKeyPair' && spec.action !== 'DetachKeyPair') return;
    reads.push({
      phase: spec.phase,
      action: 'Verify',
      instanceIds: [...spec.instanceIds],
      verifies: index,
    });
  });
  return [...specs, ...reads];
}

function isMutation(action: StepAction): boolean {
  return action === 'AttachKeyPair' || action === 'DetachKeyPair' || action === 'RebootInstances';
}

/** The key pair fields of a request, without undefined values. */
export function keyPairFields(source: { keyPairName?: string; keyPairId?: string }): {
  keyPairName?: string;
  keyPairId?: string;
} {
  return {
    ...(source.keyPairName ? { keyPairName: source.keyPairName } : {}),
    ...(source.keyPairId ? { keyPairId: source.keyPairId } : {}),
  };
}
