import type { KeyPairInfo, Preview, PreviewProblem, ReadError } from '../domain/request.js';
import { type EcsApi, toStepError } from './ports.js';

// What the approval will change, read from the cloud at submit: the key pair (does it exist, its
// fingerprint) and every instance as it is now. A failed read never blocks the request: the
// preview then says what could not be read and why.

export interface PreviewInput {
  region: string;
  instanceIds: readonly string[];
  keyPairName?: string;
  keyPairId?: string;
}

export type PreviewResult =
  | { ok: true; preview: Preview }
  /** The key pair does not exist in the region: the request is refused before anything is stored. */
  | { ok: false; unknownKeyPair: { region: string; keyPair: string; suggestions: string[] } };

const SUGGESTIONS = 5;

/** What the preview says of the instances: read here, or already read by a selection. */
export type InstancesPart = Pick<Preview, 'instances' | 'unread' | 'error' | 'problems'>;

/**
 * Reads the key pair and (unless `instancesRead` brings them, as a resolved selection does) the
 * instances, side by side.
 */
export async function readPreview(
  ecs: EcsApi,
  input: PreviewInput,
  now: () => Date,
  instancesRead: Promise<InstancesPart> = readInstances(ecs, input),
): Promise<PreviewResult> {
  const [key, instances] = await Promise.all([
    input.keyPairName || input.keyPairId ? readKeyPair(ecs, input) : Promise.resolve(undefined),
    instancesRead,
  ]);
  if (key?.kind === 'unknown') {
    return {
      ok: false,
      unknownKeyPair: {
        region: input.region,
        keyPair: input.keyPairId ?? input.keyPairName ?? '',
        suggestions: key.suggestions,
      },
    };
  }
  const preview: Preview = {
    readAt: now().toISOString(),
    ...(key?.kind === 'found' ? { keyPair: key.keyPair } : {}),
    ...(key?.kind === 'error' ? { keyPairError: key.error } : {}),
    ...instances,
  };
  return { ok: true, preview };
}

type KeyRead =
  | { kind: 'found'; keyPair: KeyPairInfo }
  | { kind: 'unknown'; suggestions: string[] }
  | { kind: 'error'; error: ReadError };

async function readKeyPair(ecs: EcsApi, input: PreviewInput): Promise<KeyRead> {
  try {
    // The API lets KeyPairId win when both are given, so that is the one to check.
    const found = await ecs.findKeyPair({
      region: input.region,
      ...(input.keyPairId ? { keyPairId: input.keyPairId } : { keyPairName: input.keyPairName }),
    });
    if (found) return { kind: 'found', keyPair: found };
    return { kind: 'unknown', suggestions: await suggest(ecs, input) };
  } catch (error) {
    return { kind: 'error', error: toReadError(error) };
  }
}

/** Similar names: by the name typed (then its first letters), or any of the region's for an id. */
async function suggest(ecs: EcsApi, input: PreviewInput): Promise<string[]> {
  const texts = input.keyPairId
    ? ['']
    : [input.keyPairName ?? '', (input.keyPairName ?? '').slice(0, 4)].filter(
        (t, i, all) => t !== '' && all.indexOf(t) === i,
      );
  try {
    for (const text of texts) {
      const found = await ecs.suggestKeyPairs({ region: input.region, text, limit: SUGGESTIONS });
      if (found.length) return found.slice(0, SUGGESTIONS).map((k) => k.keyPairName);
    }
  } catch {
    // Suggestions are a courtesy: the refusal stands without them.
  }
  return [];
}

async function readInstances(ecs: EcsApi, input: PreviewInput): Promise<InstancesPart> {
  const ids = [...new Set(input.instanceIds)];
  try {
    const readout = await ecs.describeInstances({ region: input.region, instanceIds: ids });
    const unread: string[] = [];
    const problems: PreviewProblem[] = [];
    let error: ReadError | undefined;
    for (const problem of readout.problems) {
      if (problem.kind === 'failed') {
        unread.push(...problem.instanceIds);
        error ??= toReadError(problem.error);
      } else if (problem.kind === 'unrequested') {
        problems.push({ kind: 'unrequested', count: problem.instanceIds.length });
      } else {
        problems.push(problem);
      }
    }
    const wanted = new Set(ids);
    const instances = readout.instances.filter((i) => wanted.has(i.instanceId));
    return { instances, unread, problems, ...(error ? { error } : {}) };
  } catch (error) {
    return { instances: [], unread: ids, problems: [], error: toReadError(error) };
  }
}

function toReadError(error: unknown): ReadError {
  const { code, message, call } = toStepError(error);
  return { code, message, ...(call ? { call } : {}) };
}
