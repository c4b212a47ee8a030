import type { SimInstance } from './inventory.js';
import {
  invalid,
  MAX_INSTANCE_IDS,
  numbered,
  type Params,
  param,
  type SimError,
} from './simulator-actions.js';

// DescribeInstances' filters in the simulator: ids, InstanceName, KeyPairName, Status and
// TagFilters (with the API's limits), and the cap on what a tag query lists.

/**
 * DescribeInstances filters; ids are looked up (and materialised) by the caller. `InstanceName`
 * and `KeyPairName` match fuzzily (any part, any case): the API documents the first as fuzzy and
 * says nothing of the second, so the simulator takes the looser reading and callers must re-check.
 */
export function filterInstances(
  all: readonly SimInstance[],
  params: Params,
): SimInstance[] | SimError {
  const ids = numbered(params, 'InstanceIds');
  if (ids.length > MAX_INSTANCE_IDS) return invalid('InstanceIds');
  const wanted = new Set(ids);
  const name = param(params, 'InstanceName')?.toLowerCase();
  const keyPairName = param(params, 'KeyPairName')?.toLowerCase();
  const status = param(params, 'Status');
  const tagFilters = readTagFilters(params);
  if (isSimError(tagFilters)) return tagFilters;
  return all.filter(
    (i) =>
      (wanted.size === 0 || wanted.has(i.instanceId)) &&
      (name === undefined || i.name.toLowerCase().includes(name)) &&
      (keyPairName === undefined || (i.keyPairName ?? '').toLowerCase().includes(keyPairName)) &&
      (status === undefined || i.status === status) &&
      tagFilters.every((f) =>
        i.tags.some(
          (t) => t.key === f.key && (f.values.length === 0 || f.values.includes(t.value)),
        ),
      ),
  );
}

/** A DescribeInstances query with TagFilters lists at most this many instances (BytePlus). */
export const TAG_QUERY_CAP = 1_000;
const MAX_TAG_KEYS = 10;
const MAX_TAG_VALUES = 3;

export function hasTagFilters(params: Params): boolean {
  return params.some(([k, v]) => /^TagFilters\.[1-9]\d*\.Key$/.test(k) && v !== '');
}

/**
 * TagFilters.N.Key with TagFilters.N.Values.M (volcengine.md §9): N from 1 to 10, no key twice, at
 * most 3 values per key (ORed; none: any value; an empty value matches an empty tag value). Every
 * filter must match one tag of the instance.
 */
function readTagFilters(params: Params): Array<{ key: string; values: string[] }> | SimError {
  const filters: Array<{ key: string; values: string[] }> = [];
  for (const [k, key] of params) {
    const n = /^TagFilters\.([1-9]\d*)\.Key$/.exec(k)?.[1];
    if (!n || key === '') continue;
    if (Number(n) > MAX_TAG_KEYS || filters.some((f) => f.key === key)) {
      return invalid('TagFilters');
    }
    const values = params
      .filter(([name]) => new RegExp(`^TagFilters\\.${n}\\.Values\\.[1-9]\\d*$`).test(name))
      .map(([, value]) => value);
    if (values.length > MAX_TAG_VALUES) return invalid(`TagFilters.${n}.Values`);
    filters.push({ key, values });
  }
  return filters;
}

function isSimError(value: unknown): value is SimError {
  return typeof value === 'object' && value !== null && 'status' in value && 'code' in value;
}
