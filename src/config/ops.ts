import { z } from 'zod';
import { emptyAsUndefined, oneOf, wholeNumber } from './fields.js';

// Operations: where the bot listens and how it logs.

export const opsFields = {
  HOST: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((v) => v ?? '0.0.0.0'),
  ),
  PORT: wholeNumber(3000, 0, 65535),
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
  http: { host: string; port: number };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; format: 'text' | 'json' };
}

export function toOpsConfig(env: Env): OpsConfig {
  return {
    http: { host: env.HOST, port: env.PORT },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
  };
}
