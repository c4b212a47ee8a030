import type { Config } from '../config/config.js';
import { createSandboxTransport } from '../sandbox/transport.js';
import type { Clock } from '../service/ports.js';
import { createEcsClient, type EcsClient } from '../volcengine/ecs-client.js';
import { createUndiciTransport, type Transport } from '../volcengine/transport.js';
import { createCredentialsProvider } from './credentials-from-config.js';
import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';

// The composition root's Volcengine part: the transport (the network, or the sandbox's simulated
// ECS), the credentials (the key, or AssumeRole with refresh) and the one signed, retried client,
// reporting retries to the log and every call to the metrics.

export interface EcsWiring {
  clock: Clock;
  logger: AppLogger;
  metrics: Metrics;
  /** Backoff sleep and jitter (tests make retries instant). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function createEcsFromConfig(
  config: Config,
  wiring: EcsWiring,
): { ecs: EcsClient; close(): Promise<void> } {
  const { logger, metrics } = wiring;
  const transport: Transport & { close(): Promise<void> } = config.sandbox
    ? createSandboxTransport()
    : createUndiciTransport({ connections: config.volc.maxConcurrency * 2 });
  const callPolicy = {
    timeoutMs: config.volc.timeoutMs,
    maxAttempts: config.volc.maxAttempts,
    deadlineMs: config.volc.deadlineMs,
    now: () => wiring.clock.now(),
    ...(wiring.sleep ? { sleep: wiring.sleep } : {}),
    ...(wiring.random ? { random: wiring.random } : {}),
  };
  const ecs = createEcsClient({
    endpoint: config.volc.endpoint,
    credentials: createCredentialsProvider(config.volc, {
      ...callPolicy,
      transport,
      autoRefresh: !config.sandbox,
      onRefresh: (info) => {
        metrics.credentialRefresh(info.ok);
        if (info.ok)
          logger.info('credentials refreshed (AssumeRole)', { expiresAt: info.expiresAt });
        else logger.error('credentials refresh failed (AssumeRole)', { error: info.error });
      },
    }),
    ...callPolicy,
    readConcurrency: config.volc.maxConcurrency,
    transport,
    onRetry: (info) =>
      logger.warn('volcengine call retried', {
        action: info.action,
        attempt: info.attempt,
        delayMs: info.delayMs,
        code: info.error.code,
        httpStatus: info.error.httpStatus,
      }),
    onCall: (info) => metrics.volcCall(info),
  });
  return {
    ecs,
    // The client closes its credentials provider; the transport was given to it, so it is ours.
    close: async () => {
      await ecs.close();
      await transport.close();
    },
  };
}
