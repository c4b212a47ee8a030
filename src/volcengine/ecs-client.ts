import type { AttachKeyPairCall, EcsApi } from '../service/ports.js';
import {
  type CredentialsProvider,
  createStaticCredentials,
  isCredentialsProvider,
  type SigningCredentials,
} from './credentials.js';
import {
  type BatchAnswer,
  checkClientToken,
  checkInstanceIds,
  checkKeyPair,
  type KeyPairInfo,
  numbered,
  readKeyPair,
  readList,
  readNextToken,
  toOutcomes,
} from './ecs-model.js';
import {
  type CallPolicyOptions,
  createOpenApiCaller,
  type QueryParams,
  refusal,
} from './openapi-caller.js';
import { createUndiciTransport, type Transport } from './transport.js';

// ECS (Version 2020-04-01, service ecs) over the shared signed, retried caller: the batch
// mutations, page reads, and reads that hide chunking and paging. It never logs.

export type { BatchAnswer, InstanceInfo, KeyPairInfo } from './ecs-model.js';
export { MAX_INSTANCE_IDS } from './ecs-model.js';
export type { CallInfo, RetryInfo } from './openapi-caller.js';
export {
  createUndiciTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

const VERSION = '2020-04-01';
const SERVICE = 'ecs';

export interface EcsClientOptions extends CallPolicyOptions {
  endpoint: string;
  /**
   * Fixed keys, or a provider asked on every attempt (e.g. AssumeRole). The client owns a provider
   * given here: close() closes it.
   */
  credentials: SigningCredentials | CredentialsProvider;
  transport?: Transport;
}

export interface DescribeKeyPairsPageCall {
  region: string;
  /** Exact names, at most 100. */
  keyPairNames?: string[];
  keyPairIds?: string[];
  /** Fuzzy match, as the API does it. */
  keyPairName?: string;
  maxResults?: number;
  nextToken?: string;
}

export interface KeyPairsPage {
  requestId: string;
  /** The answer's Date header (the doctor's clock check). */
  serverDate?: string;
  keyPairs: KeyPairInfo[];
  nextToken?: string;
  /** Entries skipped for having no string KeyPairId. */
  malformed: number;
}

export interface EcsClient extends EcsApi {
  attachKeyPair(call: AttachKeyPairCall): Promise<BatchAnswer>;
  describeKeyPairsPage(call: DescribeKeyPairsPageCall): Promise<KeyPairsPage>;
  /** @deprecated The first page as ids and names only; use describeKeyPairsPage. */
  describeKeyPairs(call: { region: string; maxResults?: number }): Promise<{
    requestId: string;
    serverDate?: string;
    keyPairs: Array<{ keyPairId: string; keyPairName: string }>;
  }>;
  /** Closes the transport when the client created it, and the credentials provider given to it. */
  close(): Promise<void>;
}

export function createEcsClient(options: EcsClientOptions): EcsClient {
  const ownTransport = options.transport ? undefined : createUndiciTransport();
  const transport: Transport = options.transport ?? (ownTransport as Transport);
  const credentials = isCredentialsProvider(options.credentials)
    ? options.credentials
    : createStaticCredentials(options.credentials);
  const call = createOpenApiCaller({
    ...options,
    service: SERVICE,
    version: VERSION,
    credentials,
    transport,
  });

  /** AttachKeyPair, DetachKeyPair and RebootInstances: ids + ClientToken in, outcomes out. */
  async function batch(
    action: string,
    input: { region: string; instanceIds: string[]; clientToken: string },
    params: QueryParams,
    check: () => void = () => {},
  ): Promise<BatchAnswer> {
    checkInstanceIds(action, input.instanceIds);
    check();
    checkClientToken(input.clientToken);
    const query: QueryParams = [
      ...numbered('InstanceIds', input.instanceIds),
      ...params,
      ['ClientToken', input.clientToken],
    ];
    const answer = await call(action, input.region, query);
    return { requestId: answer.requestId, outcomes: toOutcomes(input.instanceIds, answer.result) };
  }

  const client: EcsClient = {
    attachKeyPair: (input) =>
      batch('AttachKeyPair', input, keyPairParams(input), () =>
        checkKeyPair('AttachKeyPair', input),
      ),

    async describeKeyPairsPage(input) {
      const params: QueryParams = [
        ...numbered('KeyPairNames', input.keyPairNames ?? []),
        ...numbered('KeyPairIds', input.keyPairIds ?? []),
      ];
      if (input.keyPairName) params.push(['KeyPairName', input.keyPairName]);
      params.push(...pageParams(input));
      const answer = await call('DescribeKeyPairs', input.region, params);
      const { items, malformed } = readList(answer.result, 'KeyPairs', readKeyPair);
      const nextToken = readNextToken(answer.result);
      return {
        requestId: answer.requestId,
        ...(answer.serverDate ? { serverDate: answer.serverDate } : {}),
        keyPairs: items,
        ...(nextToken ? { nextToken } : {}),
        malformed,
      };
    },

    async describeKeyPairs(input) {
      const { requestId, serverDate, keyPairs } = await client.describeKeyPairsPage(input);
      return {
        requestId,
        ...(serverDate ? { serverDate } : {}),
        keyPairs: keyPairs.map(({ keyPairId, keyPairName }) => ({ keyPairId, keyPairName })),
      };
    },

    close: async () => {
      await credentials.close?.();
      await ownTransport?.close();
    },
  };
  return client;
}

// Both may go: the API lets KeyPairId win.
function keyPairParams(input: { keyPairName?: string; keyPairId?: string }): QueryParams {
  const params: QueryParams = [];
  if (input.keyPairName) params.push(['KeyPairName', input.keyPairName]);
  if (input.keyPairId) params.push(['KeyPairId', input.keyPairId]);
  return params;
}

function pageParams(input: { maxResults?: number; nextToken?: string }): QueryParams {
  const params: QueryParams = [];
  if (input.maxResults !== undefined) {
    if (!Number.isInteger(input.maxResults) || input.maxResults < 1 || input.maxResults > 100) {
      throw refusal(
        'InvalidParameter.MaxResults',
        'MaxResults must be a whole number from 1 to 100',
      );
    }
    params.push(['MaxResults', String(input.maxResults)]);
  }
  if (input.nextToken) params.push(['NextToken', input.nextToken]);
  return params;
}
