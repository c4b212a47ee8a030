import type { Config } from '../config/config.js';
import type { EcsClient } from '../volcengine/ecs-client.js';
import { VolcApiError } from '../volcengine/errors.js';
import type { DoctorTexts } from './i18n/en.js';
import type { Principal } from './i18n/en-volc.js';
import { fail, pass, type Result, skip } from './lines.js';
import { describeVolcFailure } from './volcengine-failures.js';

// The doctor's Cloud Assistant line: ecs:DescribeCloudAssistantStatus, read-only, one page; and
// the other permissions apply now and the import command need, named but never called (they run
// commands on instances or create key pairs).

export const APPLY_NOW_ACTIONS = [
  'ecs:DescribeCloudAssistantStatus',
  'ecs:RunCommand',
  'ecs:DescribeInvocations',
  'ecs:DescribeInvocationResults',
  'ecs:ImportKeyPair',
] as const;
const NOT_CALLED = APPLY_NOW_ACTIONS.slice(1);
const DENIED = new Set(['AccessDenied', 'LackPolicy']);

export async function checkCloudAssistant(
  client: EcsClient,
  config: Config,
  context: { endpoint: string; variable: string; timeoutMs: number; who: Principal },
  t: DoctorTexts,
  keyPairsError: VolcApiError | undefined,
): Promise<{ result: Result; error?: VolcApiError }> {
  const c = t.volc.cloudAssistant;
  const { region } = config.volc;
  try {
    const page = await client.describeCloudAssistantStatusPage({ region });
    if (config.sandbox) return { result: pass(c.sandbox(NOT_CALLED)) };
    return { result: pass(c.ok(region, page.totalCount, page.requestId || '?', NOT_CALLED)) };
  } catch (error) {
    const failed = error instanceof VolcApiError ? error : undefined;
    // The same non-permission failure as the credentials line: that line says what to do.
    if (failed && keyPairsError?.code === failed.code && !DENIED.has(failed.code)) {
      return { result: skip(t.volc.failedLikeKeyPairs(failed.code)), error: failed };
    }
    const result = describeVolcFailure(error, t, {
      ...context,
      call: 'ecs:DescribeCloudAssistantStatus',
      denied: (head) =>
        fail(c.denied(head, context.who), c.deniedFix(APPLY_NOW_ACTIONS, context.who)),
    });
    return failed ? { result, error: failed } : { result };
  }
}
