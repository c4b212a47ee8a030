import type { EcsApi, KeyPairCall } from '../service/ports.js';
import { type AgentPage, createCloudAssistantCalls } from './cloud-assistant.js';
import {
  type CredentialsProvider,
  createStaticCredentials,
  isCredentialsProvider,
  type SigningCredentials,
} from './credentials.js';
import {
  type DescribeInstancesPageCall,
  type DescribeKeyPairsPageCall,
  type DetachKeyPairCall,
  type InstancesPage,
  type KeyPairLookup,
  type KeyPairsPage,
  keyPairParams,
  pageParams,
  type RebootInstancesCall,
  tagFilterParams,
} from './ecs-calls.js';
import {
  type BatchAnswer,
  checkClientToken,
  checkInstanceIds,
  checkKeyPair,
  type KeyPairInfo,
  numbered,
  readCount,
  readInstance,
  readKeyPair,
  readList,
  readNextToken,
  toOutcomes,
} from './ecs-model.js';
import { type InstanceReadout, readInstances } from './ecs-readout.js';
import { type CallPolicyOptions, createOpenApiCaller, type QueryParams } from './openapi-caller.js';
import { createUndiciTransport, type Transport } from './transport.js';

// ECS (Version 2020-04-01, service ecs) over the shared signed, retried caller: the batch
// mutations, page reads, reads that hide chunking and paging, and Cloud Assistant with
// ImportKeyPair (cloud-assistant.ts). It never logs.

export type {
  DescribeInstancesPageCall,
  DescribeKeyPairsPageCall,
  DetachKeyPairCall,
  InstancesPage,
  KeyPairLookup,
  KeyPairsPage,
  RebootInstancesCall,
} from './ecs-calls.js';
export type { BatchAnswer, InstanceInfo, KeyPairInfo } from './ecs-model.js';
export { MAX_INSTANCE_IDS } from './ecs-model.js';
export type { InstanceReadout, ReadProblem } from './ecs-readout.js';
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
  /** DescribeInstances chunk calls in flight at once in describeInstances (default 4). */
  readConcurrency?: number;
  /** Pages followed per chunk before giving up on an API that keeps sending NextToken (default 10). */
  readMaxPages?: number;
}

export interface EcsClient extends EcsApi {
  attachKeyPair(call: KeyPairCall): Promise<BatchAnswer>;
  detachKeyPair(call: DetachKeyPairCall): Promise<BatchAnswer>;
  /** Always ForceStop=false: the guest shuts down cleanly. */
  rebootInstances(call: RebootInstancesCall): Promise<BatchAnswer>;
  describeInstancesPage(call: DescribeInstancesPageCall): Promise<InstancesPage>;
  /** Any number of ids; failures and oddities are in `problems`, never thrown. */
  describeInstances(call: {
    region: string;
    instanceIds: readonly string[];
  }): Promise<InstanceReadout>;
  describeKeyPairsPage(call: DescribeKeyPairsPageCall): Promise<KeyPairsPage>;
  /** @deprecated The first page as ids and names only; use describeKeyPairsPage. */
  describeKeyPairs(call: { region: string; maxResults?: number }): Promise<{
    requestId: string;
    serverDate?: string;
    keyPairs: Array<{ keyPairId: string; keyPairName: string }>;
  }>;
  /** Exact lookup by name or id; undefined when there is no such key pair. */
  findKeyPair(lookup: KeyPairLookup): Promise<KeyPairInfo | undefined>;
  /** Key pairs whose name contains `text` (the API's fuzzy match), at most `limit`. */
  suggestKeyPairs(call: { region: string; text: string; limit: number }): Promise<KeyPairInfo[]>;
  /** One page of DescribeCloudAssistantStatus over the region (the doctor's read-only check). */
  describeCloudAssistantStatusPage(query: { region: string }): Promise<AgentPage>;
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
  // RunCommand has no ClientToken: it goes out once, and its caller decides about a resend.
  const callOnce = createOpenApiCaller({
    ...options,
    maxAttempts: 1,
    service: SERVICE,
    version: VERSION,
    credentials,
    transport,
  });
  const readConcurrency = options.readConcurrency ?? 4;
  const readMaxPages = Math.max(1, options.readMaxPages ?? 10);

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
    ...createCloudAssistantCalls(call, callOnce),
    attachKeyPair: (input) =>
      batch('AttachKeyPair', input, keyPairParams(input), () =>
        checkKeyPair('AttachKeyPair', input),
      ),

    detachKeyPair: (input) =>
      batch('DetachKeyPair', input, keyPairParams(input), () =>
        checkKeyPair('DetachKeyPair', input),
      ),

    rebootInstances: (input) => batch('RebootInstances', input, [['ForceStop', 'false']]),

    async describeInstancesPage(input) {
      const params: QueryParams = [];
      if (input.instanceIds) {
        checkInstanceIds('DescribeInstances', input.instanceIds);
        params.push(...numbered('InstanceIds', input.instanceIds));
      }
      if (input.instanceName) params.push(['InstanceName', input.instanceName]);
      params.push(...tagFilterParams(input.tagFilters ?? []));
      if (input.keyPairName) params.push(['KeyPairName', input.keyPairName]);
      params.push(...pageParams(input));
      const answer = await call('DescribeInstances', input.region, params);
      const { items, malformed } = readList(answer.result, 'Instances', readInstance);
      const nextToken = readNextToken(answer.result);
      const totalCount = readCount(answer.result, 'TotalCount');
      return {
        requestId: answer.requestId,
        instances: items,
        ...(nextToken ? { nextToken } : {}),
        ...(totalCount !== undefined ? { totalCount } : {}),
        malformed,
      };
    },

    describeInstances: (input) =>
      readInstances(input.instanceIds, {
        concurrency: readConcurrency,
        maxPages: readMaxPages,
        page: (page) => client.describeInstancesPage({ region: input.region, ...page }),
      }),

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

    async findKeyPair(lookup) {
      checkKeyPair('DescribeKeyPairs', lookup);
      // The id wins when both are given, as in AttachKeyPair.
      const byId = lookup.keyPairId !== undefined && lookup.keyPairId !== '';
      const page = await client.describeKeyPairsPage({
        region: lookup.region,
        ...(byId ? { keyPairIds: [lookup.keyPairId as string] } : {}),
        ...(byId ? {} : { keyPairNames: [lookup.keyPairName as string] }),
      });
      // Exact filters, but check anyway: a match must be the one asked for.
      return page.keyPairs.find((k) =>
        byId ? k.keyPairId === lookup.keyPairId : k.keyPairName === lookup.keyPairName,
      );
    },

    async suggestKeyPairs(input) {
      const limit = Math.min(100, Math.max(1, Math.floor(input.limit)));
      const text = input.text.trim();
      const page = await client.describeKeyPairsPage({
        region: input.region,
        ...(text ? { keyPairName: text } : {}),
        maxResults: limit,
      });
      return page.keyPairs.slice(0, limit);
    },

    close: async () => {
      await credentials.close?.();
      await ownTransport?.close();
    },
  };
  return client;
}
