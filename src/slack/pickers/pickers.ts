import type { EcsApi, Logger } from '../../service/ports.js';
import { createInstanceSearch, type InstanceSearch } from './instance-search.js';
import { createKeyPairSearch, type KeyPairSearch } from './key-pair-search.js';
import { createLookups } from './lookups.js';

// The two pickers over one set of bounded, cached cloud reads. Numbers, and why:
// - ANSWER_WITHIN_MS: Slack drops an options answer after 3 s, network both ways included; the
//   search itself gets 1.5 s, so a slow cloud still leaves a wide margin.
// - 30 s answers: long enough for a person typing and retyping, short enough that a new
//   instance or a changed status shows up soon; listings are kept 2 minutes.
// - 4 searches in flight (listings: 2 regions at once, one page at a time): a crowd opening the
//   modal cannot turn into a DescribeInstances storm (Volcengine's own Terraform provider keeps
//   DescribeInstances near 4 per second); beyond that an answer says "busy" instead of queueing.

export const ANSWER_WITHIN_MS = 1_500;

export interface Pickers {
  instances: InstanceSearch;
  keyPairs: KeyPairSearch;
  /** Called when a modal opens or changes region: both lists start loading in the background. */
  warm(region: string): void;
  /** Resolves when no picker read is running. */
  idle(): Promise<void>;
  /** Stops the background listings (the bot is stopping). */
  close(): void;
}

export function createPickers(options: {
  ecs: Pick<EcsApi, 'describeInstancesPage' | 'suggestKeyPairs'>;
  logger: Logger;
  now?: () => number;
}): Pickers {
  const { ecs, logger } = options;
  const lookups = createLookups({
    ...(options.now ? { now: options.now } : {}),
    ttlMs: 30_000,
    failureTtlMs: 5_000,
    maxEntries: 2_000,
    maxInFlight: 4,
    onFailure: (key, error) =>
      logger.warn('picker search failed', { search: key.split('\n')[0], error }),
  });
  const instances = createInstanceSearch({
    ecs,
    lookups,
    ...(options.now ? { now: options.now } : {}),
    onListingFailed: (region, code) => logger.warn('picker listing stopped', { region, code }),
  });
  const keyPairs = createKeyPairSearch({ ecs, lookups });
  return {
    instances,
    keyPairs,
    warm(region) {
      instances.warm(region);
      keyPairs.warm(region);
    },
    async idle() {
      await Promise.all([instances.idle(), lookups.idle()]);
    },
    close: () => instances.close(),
  };
}
