import type { AccountConfig } from '../config/accounts-file.js';
import type { Config } from '../config/config.js';
import { createSandboxTransport } from '../sandbox/transport.js';
import type { Clock } from '../service/ports.js';
import { readCallerIdentity } from '../volcengine/caller-identity.js';
import { createEcsClient, type EcsClient } from '../volcengine/ecs-client.js';
import { createUndiciTransport, type Transport } from '../volcengine/transport.js';
import { createCredentialsProvider } from './credentials-from-config.js';
import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';

// The composition root's Volcengine part: for each account (ACCOUNTS_FILE, or the one account
// `default` of the VOLC_* variables), the transport (the network, or the sandbox's simulated ECS,
// a fleet of its own per account), the credentials (the key, or AssumeRole with refresh) and one
// signed, retried client with its own concurrency budget, reporting retries to the log and every
// call to the metrics. One account's throttling or outage never queues another's calls.

export interface EcsWiring {
  clock: Clock;
  logger: AppLogger;
  metrics: Metrics;
  /** Backoff sleep and jitter (tests make retries instant). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface AccountsEcs {
  /** The first account's client (`default` without ACCOUNTS_FILE). */
  ecs: EcsClient;
  /** Each configured account's client; undefined for any other name. */
  ecsFor(account: string): EcsClient | undefined;
  /**
   * The account id its credentials speak for (STS GetCallerIdentity, one attempt, bounded);
   * rejects when STS cannot tell.
   */
  identify(account: string): Promise<string>;
  close(): Promise<void>;
}

export function createEcsFromConfig(config: Config, wiring: EcsWiring): AccountsEcs {
  const clients = new Map<string, ReturnType<typeof createAccountEcs>>();
  for (const account of config.accounts) {
    clients.set(account.name, createAccountEcs(config, account, wiring));
  }
  const first = clients.get(config.accounts[0]?.name ?? '');
  if (!first) throw new Error('no Volcengine account is configured');
  return {
    ecs: first.ecs,
    ecsFor: (name) => clients.get(name)?.ecs,
    identify: async (name) => {
      const client = clients.get(name);
      if (!client) throw new Error(`account ${name} is not configured`);
      return client.identify();
    },
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

function createAccountEcs(
  config: Config,
  account: AccountConfig,
  wiring: EcsWiring,
): { ecs: EcsClient; identify(): Promise<string>; close(): Promise<void> } {
  const { logger, metrics } = wiring;
  const { volc } = account;
  // Log fields and metric labels name the account only when there are several (ACCOUNTS_FILE).
  const named = config.accountsFromFile ? { account: account.name } : {};
  const transport: Transport & { close(): Promise<void> } = config.sandbox
    ? createSandboxTransport(config.accountsFromFile ? { account: account.name } : {})
    : createUndiciTransport({ connections: volc.maxConcurrency * 2 });
  const callPolicy = {
    timeoutMs: volc.timeoutMs,
    maxAttempts: volc.maxAttempts,
    deadlineMs: volc.deadlineMs,
    now: () => wiring.clock.now(),
    ...(wiring.sleep ? { sleep: wiring.sleep } : {}),
    ...(wiring.random ? { random: wiring.random } : {}),
  };
  const credentials = createCredentialsProvider(volc, {
    ...callPolicy,
    transport,
    autoRefresh: !config.sandbox,
    onRefresh: (info) => {
      metrics.credentialRefresh(info.ok, named.account);
      if (info.ok)
        logger.info('credentials refreshed (AssumeRole)', {
          ...named,
          expiresAt: info.expiresAt,
        });
      else logger.error('credentials refresh failed (AssumeRole)', { ...named, error: info.error });
    },
  });
  const ecs = createEcsClient({
    endpoint: volc.endpoint,
    credentials,
    ...callPolicy,
    readConcurrency: volc.maxConcurrency,
    transport,
    onRetry: (info) =>
      logger.warn('volcengine call retried', {
        ...named,
        action: info.action,
        attempt: info.attempt,
        delayMs: info.delayMs,
        code: info.error.code,
        httpStatus: info.error.httpStatus,
      }),
    onCall: (info) => metrics.volcCall({ ...info, ...named }),
  });
  const bound = Math.min(volc.timeoutMs, 5_000);
  return {
    ecs,
    identify: async () =>
      (
        await readCallerIdentity({
          ...callPolicy,
          maxAttempts: 1,
          timeoutMs: bound,
          deadlineMs: bound,
          credentials,
          stsEndpoint: account.stsEndpoint,
          transport,
        })
      ).accountId,
    // The client closes its credentials provider; the transport was given to it, so it is ours.
    close: async () => {
      await ecs.close();
      await transport.close();
    },
  };
}
