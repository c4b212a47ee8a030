import type { CloudAssistantApi, InvocationResult } from '../service/cloud-assistant-port.js';
import { checkClientToken, checkInstanceIds, numbered, readCount, readList } from './ecs-model.js';
import { isRecord } from './errors.js';
import { type OpenApiCaller, type QueryParams, refusal } from './openapi-caller.js';

// Cloud Assistant (RunCommand, DescribeInvocations, DescribeInvocationResults,
// DescribeCloudAssistantStatus) and ImportKeyPair, on the same signed caller as the rest of ECS
// (volcengine.md §10). RunCommand goes out on a caller that never retries: it has no
// ClientToken, so a blind resend could run the script twice.

const RUN_MAX_IDS = 200;
const PAGE_SIZE = 100;
/** Pages followed before giving up on an API that keeps saying there are more. */
const MAX_PAGES = 10;
// 2–64 characters: letters, digits, Chinese, _ and -, not starting with a digit or "-".
const INVOCATION_NAME = /^[A-Za-z_\p{Script=Han}][\w\p{Script=Han}-]{1,63}$/u;

/** The doctor's read-only check: one page of any agents, however many the region has. */
export interface AgentPage {
  requestId: string;
  totalCount?: number;
}

export function createCloudAssistantCalls(
  call: OpenApiCaller,
  callOnce: OpenApiCaller,
): CloudAssistantApi & {
  describeCloudAssistantStatusPage(query: { region: string }): Promise<AgentPage>;
} {
  return {
    async describeCloudAssistantStatusPage({ region }) {
      const answer = await call('DescribeCloudAssistantStatus', region, [
        ['PageNumber', '1'],
        ['PageSize', '1'],
      ]);
      const totalCount = readCount(answer.result, 'TotalCount');
      return { requestId: answer.requestId, ...(totalCount !== undefined ? { totalCount } : {}) };
    },

    async cloudAssistantStatus({ region, instanceIds }) {
      checkInstanceIds('DescribeCloudAssistantStatus', instanceIds);
      const requestIds: string[] = [];
      const agents: Array<{ instanceId: string; status: string }> = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const answer = await call('DescribeCloudAssistantStatus', region, [
          ...numbered('InstanceIds', instanceIds),
          ...pageParams(page),
        ]);
        requestIds.push(answer.requestId);
        const { items } = readList(answer.result, 'Instances', (raw) => {
          const instanceId = text(raw.InstanceId);
          return instanceId ? { instanceId, status: text(raw.Status) ?? '' } : undefined;
        });
        agents.push(...items);
        const total = readCount(answer.result, 'TotalCount');
        if (items.length < PAGE_SIZE || total === undefined || page * PAGE_SIZE >= total) break;
      }
      return { requestIds, agents };
    },

    async runCommand(input) {
      // RunCommand takes 200 ids where the batch actions take 100: check the rest by chunk.
      for (let i = 0; i === 0 || i < input.instanceIds.length; i += 100) {
        checkInstanceIds('RunCommand', input.instanceIds.slice(i, i + 100));
      }
      if (input.instanceIds.length > RUN_MAX_IDS) {
        throw refusal(
          'LimitExceeded.MaximumInstanceIds',
          `RunCommand takes at most ${RUN_MAX_IDS} instance ids per call, got ${input.instanceIds.length}`,
        );
      }
      if (!INVOCATION_NAME.test(input.invocationName)) {
        throw refusal('InvalidParameter.InvocationName', 'The InvocationName is not valid');
      }
      const params: QueryParams = [
        ...numbered('InstanceIds', input.instanceIds),
        ['Type', 'Shell'],
        ['CommandContent', Buffer.from(input.script, 'utf8').toString('base64')],
        ['ContentEncoding', 'Base64'],
        ['InvocationName', input.invocationName],
        ['Username', input.username],
        ['Timeout', String(input.timeoutSeconds)],
        ['WorkingDir', '/'],
      ];
      const answer = await callOnce('RunCommand', input.region, params);
      const invocationId = isRecord(answer.result) ? text(answer.result.InvocationId) : undefined;
      if (!invocationId) {
        throw refusal('InvalidResponse', 'RunCommand answered without an InvocationId');
      }
      return { requestId: answer.requestId, invocationId };
    },

    async findInvocation({ region, invocationName }) {
      const answer = await call('DescribeInvocations', region, [
        ['InvocationName', invocationName],
        ...pageParams(1),
      ]);
      const { items } = readList(answer.result, 'Invocations', (raw) => {
        const invocationId = text(raw.InvocationId);
        if (!invocationId) return undefined;
        return {
          invocationId,
          name: text(raw.InvocationName) ?? '',
          status: text(raw.InvocationStatus) ?? '',
        };
      });
      // The filter may match loosely: only the exact name is ours.
      const mine = items.find((i) => i.name === invocationName);
      return {
        requestId: answer.requestId,
        ...(mine ? { invocation: { invocationId: mine.invocationId, status: mine.status } } : {}),
      };
    },

    async invocationResultsPage({ region, invocationId, pageNumber, pageSize }) {
      const answer = await call('DescribeInvocationResults', region, [
        ['InvocationId', invocationId],
        ['PageNumber', String(pageNumber)],
        ['PageSize', String(pageSize)],
      ]);
      const { items } = readList(answer.result, 'InvocationResults', readResult);
      const totalCount = readCount(answer.result, 'TotalCount');
      return {
        requestId: answer.requestId,
        results: items,
        ...(totalCount !== undefined ? { totalCount } : {}),
      };
    },

    async importKeyPair(input) {
      checkClientToken(input.clientToken);
      const answer = await call('ImportKeyPair', input.region, [
        ['KeyPairName', input.keyPairName],
        ['PublicKey', input.publicKey],
        ['ClientToken', input.clientToken],
      ]);
      const result = isRecord(answer.result) ? answer.result : {};
      const keyPairId = text(result.KeyPairId);
      if (!keyPairId)
        throw refusal('InvalidResponse', 'ImportKeyPair answered without a KeyPairId');
      return {
        requestId: answer.requestId,
        keyPairId,
        keyPairName: text(result.KeyPairName) ?? input.keyPairName,
        fingerprint: text(result.FingerPrint) ?? '',
      };
    },
  };
}

function readResult(raw: Record<string, unknown>): InvocationResult | undefined {
  const instanceId = text(raw.InstanceId);
  if (!instanceId) return undefined;
  const output = text(raw.Output);
  const errorCode = text(raw.ErrorCode);
  const errorMessage = text(raw.ErrorMessage);
  return {
    instanceId,
    status: text(raw.InvocationResultStatus) ?? '',
    ...(typeof raw.ExitCode === 'number' ? { exitCode: raw.ExitCode } : {}),
    ...(output !== undefined ? { output: Buffer.from(output, 'base64').toString('utf8') } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
  };
}

function pageParams(page: number): QueryParams {
  return [
    ['PageNumber', String(page)],
    ['PageSize', String(PAGE_SIZE)],
  ];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
