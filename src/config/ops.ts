import { z } from 'zod';
import { emptyAsUndefined, oneOf, type Problems, wholeNumber } from './fields.js';

// Operations: where the bot listens and how it logs. Slack's listener (PORT) and the metrics
// listener (METRICS_PORT) are separate, so a load balancer that exposes /slack/events to the
// internet does not expose /metrics with it.

const listenHost = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((v) => v ?? '0.0.0.0'),
);

export const opsFields = {
  HOST: listenHost,
  PORT: wholeNumber(3000, 0, 65535),
  METRICS_HOST: listenHost,
  METRICS_PORT: wholeNumber(9464, 0, 65535),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], 'info', {
    error: 'expected debug, info, warn or error',
    lowerCase: true,
  }),
  LOG_FORMAT: oneOf(['text', 'json'], 'text', {
    error: 'expected text or json',
    lowerCase: true,
  }),
};

type Env = z.infer<z.ZodObject<typeof opsFields>>;

export interface OpsConfig {
  /** Slack's listener (POST /slack/events in HTTP mode) and /healthz. */
  http: { host: string; port: number };
  /** GET /metrics and GET /healthz, in both modes. */
  metrics: { host: string; port: number };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; format: 'text' | 'json' };
}

/** Rules across variables; fields that failed on their own still hold their raw input. */
export function checkOps(env: Readonly<Record<string, unknown>>, problems: Problems): void {
  const port = env.PORT;
  if (typeof port === 'number' && port !== 0 && env.METRICS_PORT === port) {
    problems.add(
      'METRICS_PORT',
      `must differ from PORT (${port}): /metrics has a listener of its own, so that exposing the Slack port does not expose the metrics`,
    );
  }
}

export function toOpsConfig(env: Env): OpsConfig {
  return {
    http: { host: env.HOST, port: env.PORT },
    metrics: { host: env.METRICS_HOST, port: env.METRICS_PORT },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
  };
}
