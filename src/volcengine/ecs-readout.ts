import { runLimited } from '../service/run-limited.js';
import { type InstanceInfo, MAX_INSTANCE_IDS } from './ecs-model.js';
import { VolcApiError } from './errors.js';

// DescribeInstances for any number of ids: chunks of 100 read side by side, pages followed up to a
// bound, duplicates dropped. What went wrong comes back as values beside what was read, so one
// failed chunk or a misbehaving API never hides the instances the other chunks found.

export type ReadProblem =
  /** The API listed instances that were not asked for; they were dropped. */
  | { kind: 'unrequested'; instanceIds: string[] }
  /** Entries without a string id, skipped. */
  | { kind: 'malformed'; count: number }
  /** A chunk kept sending NextToken; reading stopped after `pages` pages. */
  | { kind: 'paging_stopped'; pages: number; instanceIds: string[] }
  /** A chunk's call failed after its retries; `instanceIds` are the ones it did not read. */
  | {
      kind: 'failed';
      instanceIds: string[];
      error: {
        code: string;
        message: string;
        httpStatus?: number;
        requestId?: string;
        /** `ecs:DescribeInstances`: the call that failed. */
        call?: string;
      };
    };

export interface InstanceReadout {
  /** In the order the ids were asked for, each instance once. */
  instances: InstanceInfo[];
  /** RequestId of every page read, chunk by chunk. */
  requestIds: string[];
  problems: ReadProblem[];
}

export interface InstancesPageCall {
  instanceIds: string[];
  maxResults: number;
  nextToken?: string;
}

export interface InstancesPageAnswer {
  requestId: string;
  instances: InstanceInfo[];
  nextToken?: string;
  malformed: number;
}

export async function readInstances(
  instanceIds: readonly string[],
  options: {
    concurrency: number;
    maxPages: number;
    page: (call: InstancesPageCall) => Promise<InstancesPageAnswer>;
  },
): Promise<InstanceReadout> {
  const wanted = [...new Set(instanceIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < wanted.length; i += MAX_INSTANCE_IDS) {
    chunks.push(wanted.slice(i, i + MAX_INSTANCE_IDS));
  }
  const results = chunks.map(() => emptyChunk());
  await runLimited(
    chunks.map((ids, index) => ({ ids, index })),
    Math.max(1, Math.floor(options.concurrency)),
    async ({ ids, index }) => {
      results[index] = await readChunk(ids, options);
    },
  );

  const found = new Map<string, InstanceInfo>();
  const requestIds: string[] = [];
  const problems: ReadProblem[] = [];
  const unrequested = new Set<string>();
  let malformed = 0;
  for (const chunk of results) {
    for (const instance of chunk.instances) {
      if (!found.has(instance.instanceId)) found.set(instance.instanceId, instance);
    }
    requestIds.push(...chunk.requestIds);
    for (const id of chunk.unrequested) unrequested.add(id);
    malformed += chunk.malformed;
    problems.push(...chunk.problems);
  }
  if (unrequested.size > 0)
    problems.unshift({ kind: 'unrequested', instanceIds: [...unrequested] });
  if (malformed > 0) problems.unshift({ kind: 'malformed', count: malformed });
  const instances = wanted.flatMap((id) => {
    const instance = found.get(id);
    return instance ? [instance] : [];
  });
  return { instances, requestIds, problems };
}

interface ChunkResult {
  instances: InstanceInfo[];
  requestIds: string[];
  unrequested: string[];
  malformed: number;
  problems: ReadProblem[];
}

function emptyChunk(): ChunkResult {
  return { instances: [], requestIds: [], unrequested: [], malformed: 0, problems: [] };
}

async function readChunk(
  ids: string[],
  options: { maxPages: number; page: (call: InstancesPageCall) => Promise<InstancesPageAnswer> },
): Promise<ChunkResult> {
  const asked = new Set(ids);
  const seen = new Set<string>();
  const result = emptyChunk();
  const unseen = () => ids.filter((id) => !seen.has(id));
  let nextToken: string | undefined;
  for (let pages = 0; ; ) {
    let answer: InstancesPageAnswer;
    try {
      answer = await options.page({
        instanceIds: ids,
        maxResults: MAX_INSTANCE_IDS,
        ...(nextToken ? { nextToken } : {}),
      });
    } catch (error) {
      result.problems.push({ kind: 'failed', instanceIds: unseen(), error: describe(error) });
      return result;
    }
    pages += 1;
    result.requestIds.push(answer.requestId);
    result.malformed += answer.malformed;
    for (const instance of answer.instances) {
      if (!asked.has(instance.instanceId)) result.unrequested.push(instance.instanceId);
      else if (!seen.has(instance.instanceId)) {
        seen.add(instance.instanceId);
        result.instances.push(instance);
      }
    }
    nextToken = answer.nextToken;
    // Every id asked for is in hand: a further token can only bring what was not asked for.
    if (!nextToken || seen.size === asked.size) return result;
    if (pages >= options.maxPages) {
      result.problems.push({ kind: 'paging_stopped', pages, instanceIds: unseen() });
      return result;
    }
  }
}

function describe(error: unknown): Extract<ReadProblem, { kind: 'failed' }>['error'] {
  if (error instanceof VolcApiError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
      ...(error.call ? { call: error.call } : {}),
    };
  }
  // Not an API error (a bug below us): name it, without a message that might carry anything.
  return {
    code: 'UnexpectedError',
    message: `DescribeInstances failed: ${(error as Error)?.name}`,
    call: 'ecs:DescribeInstances',
  };
}
