import type { InstanceInfo, KeyPairInfo } from './ecs-model.js';
import { type QueryParams, refusal } from './openapi-caller.js';

// The shapes of ECS's page reads and batch calls beside AttachKeyPair, and the query parameters
// they share (key pair, tag filters, paging), checked against the API's limits before a call.

export interface DetachKeyPairCall {
  region: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  clientToken: string;
}

export interface RebootInstancesCall {
  region: string;
  instanceIds: string[];
  clientToken: string;
}

export interface DescribeInstancesPageCall {
  region: string;
  /** At most 100. */
  instanceIds?: string[];
  /** Fuzzy match, as the API does it. */
  instanceName?: string;
  /** TagFilters.N.Key / .Values.M: at most 10 keys, 3 values each (no values: any value). */
  tagFilters?: ReadonlyArray<{ key: string; values: readonly string[] }>;
  /** The KeyPairName filter; whether it matches exactly is not documented: re-check answers. */
  keyPairName?: string;
  maxResults?: number;
  nextToken?: string;
}

export interface InstancesPage {
  requestId: string;
  instances: InstanceInfo[];
  nextToken?: string;
  totalCount?: number;
  /** Entries skipped for having no string InstanceId. */
  malformed: number;
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

export type KeyPairLookup =
  | { region: string; keyPairName: string; keyPairId?: undefined }
  | { region: string; keyPairId: string; keyPairName?: undefined };

// Both may go: the API lets KeyPairId win.
export function keyPairParams(input: { keyPairName?: string; keyPairId?: string }): QueryParams {
  const params: QueryParams = [];
  if (input.keyPairName) params.push(['KeyPairName', input.keyPairName]);
  if (input.keyPairId) params.push(['KeyPairId', input.keyPairId]);
  return params;
}

/** At most 10 keys and 3 values per key (volcengine.md §9): refused here, before a call. */
export function tagFilterParams(
  filters: ReadonlyArray<{ key: string; values: readonly string[] }>,
): QueryParams {
  if (filters.length > 10 || filters.some((f) => f.values.length > 3 || f.key === '')) {
    throw refusal(
      'InvalidParameter.TagFilters',
      'TagFilters takes 1 to 10 non-empty keys with at most 3 values each',
    );
  }
  return filters.flatMap((f, i) => [
    [`TagFilters.${i + 1}.Key`, f.key] as [string, string],
    ...f.values.map((v, j) => [`TagFilters.${i + 1}.Values.${j + 1}`, v] as [string, string]),
  ]);
}

export function pageParams(input: { maxResults?: number; nextToken?: string }): QueryParams {
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
