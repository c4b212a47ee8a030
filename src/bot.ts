import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { App, type LogLevel, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import { knownRegionsWith } from './domain/regions.js';
import { type AppLogger, createLogger, toBoltLogger } from './logger.js';
import { type AttachService, createAttachService } from './service/attach-service.js';
import type { Clock, EcsApi } from './service/ports.js';
import { registerListeners } from './slack/listeners.js';
import { createSlackNotifier } from './slack/notifier.js';
import { slackErrorCode, TOKEN_REJECTED } from './slack/slack-error.js';
import { defaultAuditFile, openAuditLog } from './store/audit-log.js';
import { openRequestStore } from './store/lowdb-store.js';
import { createEcsClient, createUndiciTransport, type Transport } from './volcengine/ecs-client.js';
import { createSandboxTransport, describeSandboxBehaviour } from './volcengine/sandbox-ecs.js';

// Composition root: the only file that imports across folders. It builds the adapters, the
// service and the Bolt app, and owns the timers (expiry, retention) and the stop sequence.

export interface BotOverrides {
  /** Where log lines go (tests capture them). */
  logWrite?: (line: string) => void;
  clock?: Clock;
  /** Retries of the Slack Web API clients; production waits up to ~15 s per call. */
  slackRetry?: webApi.RetryOptions;
  /** Backoff sleep and jitter of the Volcengine client (tests make retries instant). */
  volcSleep?: (ms: number) => Promise<void>;
  volcRandom?: () => number;
  /** Replace the Volcengine client wholesale (benchmarks). */
  ecs?: EcsApi;
  newRequestId?: () => string;
  /** How long a stop waits for in-flight batches before leaving them to the journal. */
  stopGraceMs?: number;
}

export interface Bot {
  app: App;
  service: AttachService;
  logger: AppLogger;
  /** Starts receiving; resolves with the bound HTTP port in HTTP mode. */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

const PRODUCTION_SLACK_RETRY: webApi.RetryOptions = {
  retries: 4,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 8_000,
  randomize: true,
};

export async function createBot(config: Config, overrides: BotOverrides = {}): Promise<Bot> {
  const logger = createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: config.secrets,
    ...(overrides.logWrite ? { write: overrides.logWrite } : {}),
  });
  const clock: Clock = overrides.clock ?? { now: () => new Date() };
  const store = await openRequestStore({ dataFile: config.storage.dataFile });

  const slackRetry = overrides.slackRetry ?? PRODUCTION_SLACK_RETRY;
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: slackRetry,
    timeout: 10_000,
  };
  const notifierClient = new webApi.WebClient(config.slack.botToken, {
    ...clientOptions,
    logger: toBoltLogger(logger.child({ source: 'slack-web-api' })) as never,
  });
  const identity = await verifyBotToken(notifierClient, config.slack.apiUrl);
  const audit = await openAuditLog({
    file: config.storage.auditFile ?? defaultAuditFile(config.storage.dataFile),
  });

  const transport: (Transport & { close?: () => Promise<void> }) | undefined = overrides.ecs
    ? undefined
    : config.sandbox
      ? createSandboxTransport()
      : createUndiciTransport({ connections: config.volc.maxConcurrency * 2 });
  const ecs =
    overrides.ecs ??
    createEcsClient({
      endpoint: config.volc.endpoint,
      credentials: {
        accessKeyId: config.volc.accessKeyId,
        secretAccessKey: config.volc.secretAccessKey,
        ...(config.volc.sessionToken ? { sessionToken: config.volc.sessionToken } : {}),
      },
      timeoutMs: config.volc.timeoutMs,
      maxAttempts: config.volc.maxAttempts,
      deadlineMs: config.volc.deadlineMs,
      ...(transport ? { transport } : {}),
      now: () => clock.now(),
      ...(overrides.volcSleep ? { sleep: overrides.volcSleep } : {}),
      ...(overrides.volcRandom ? { random: overrides.volcRandom } : {}),
      onRetry: (info) =>
        logger.warn('volcengine call retried', {
          action: info.action,
          attempt: info.attempt,
          delayMs: info.delayMs,
          code: info.error.code,
          httpStatus: info.error.httpStatus,
        }),
    });

  const notifier = createSlackNotifier({
    client: notifierClient,
    logger,
    sandbox: config.sandbox,
    now: () => clock.now(),
  });

  const service = createAttachService({
    store,
    ecs,
    notifier,
    audit,
    clock,
    logger,
    newRequestId: overrides.newRequestId ?? newRequestId,
    policy: config.policy,
    sandbox: config.sandbox,
    maxConcurrency: config.volc.maxConcurrency,
    retentionDays: config.storage.retentionDays,
  });

  const boltLogger = toBoltLogger(logger.child({ source: 'bolt' }));
  const app = new App({
    token: config.slack.botToken,
    // Verified above. Bolt would otherwise run auth.test itself and, if that one call failed (a
    // network blip at start), answer every request 401 until the next restart.
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger: boltLogger as never,
    logLevel: config.log.level as LogLevel,
    clientOptions: { ...clientOptions, retryConfig: { ...slackRetry } },
    ...(config.slack.socketMode
      ? { socketMode: true, appToken: config.slack.appToken as string }
      : {
          signingSecret: config.slack.signingSecret as string,
          customRoutes: [
            {
              path: '/healthz',
              method: ['GET'],
              handler: (_req, res) => {
                void store.ping().then((healthy) => {
                  res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json' });
                  res.end(JSON.stringify({ ok: healthy, store: healthy ? 'ok' : 'unreachable' }));
                });
              },
            },
          ],
        }),
  });
  app.error(async (error) => {
    logger.error('unhandled listener error', { error });
  });

  registerListeners(app, {
    service,
    logger,
    defaultRegion: config.volc.region,
    regions: knownRegionsWith(config.volc.region),
    maxInstances: config.policy.maxInstancesPerRequest,
    sandbox: config.sandbox,
    ...(config.sandbox ? { helpAppendix: describeSandboxBehaviour() } : {}),
  });

  const timers: NodeJS.Timeout[] = [];
  let stopping: Promise<void> | undefined;
  const every = (ms: number, task: () => Promise<unknown>, what: string) => {
    const timer = setInterval(() => {
      task().catch((error) => logger.error(`${what} failed`, { error }));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    app,
    service,
    logger,
    async start() {
      const started = config.slack.socketMode
        ? await app.start()
        : await app.start({ port: config.http.port, host: config.http.host });
      const port = config.slack.socketMode
        ? undefined
        : ((started as Server).address() as { port: number }).port;
      logger.info('attach-key-bot started', {
        mode: config.slack.socketMode ? 'socket' : 'http',
        ...(port !== undefined ? { port, endpoint: '/slack/events' } : {}),
        sandbox: config.sandbox,
        approvers: config.policy.approverIds.length,
      });
      // Expire what went stale while we were down, then finish what a previous process began.
      await service.expireDue();
      await service.archiveFinished();
      void service.resume().catch((error) => logger.error('resume failed', { error }));
      const ttlMs = config.policy.requestTtlMinutes * 60_000;
      every(Math.min(30_000, Math.max(200, ttlMs / 4)), () => service.expireDue(), 'expiry sweep');
      every(60 * 60_000, () => service.archiveFinished(), 'retention sweep');
      return port !== undefined ? { port } : {};
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };

  async function stopAll(): Promise<void> {
    for (const timer of timers) clearInterval(timer);
    await app.stop().catch((error) => logger.warn('receiver stop failed', { error }));
    await service.stop(overrides.stopGraceMs ?? 10_000);
    await store.close();
    await audit.close();
    await transport?.close?.();
    logger.info('attach-key-bot stopped');
  }
}

/**
 * auth.test before anything listens: a rejected token stops the start with a fix; an unreachable
 * Slack (after the client's retries) stops it too, so a supervisor restarts the bot later.
 */
async function verifyBotToken(
  client: webApi.WebClient,
  apiUrl: string,
): Promise<{ botId: string; botUserId: string }> {
  try {
    const result = await client.auth.test();
    if (result.bot_id && result.user_id) return { botId: result.bot_id, botUserId: result.user_id };
    throw new Error('auth.test did not name a bot user');
  } catch (error) {
    const code = slackErrorCode(error);
    if (TOKEN_REJECTED.has(code)) {
      throw Object.assign(
        new Error(
          `Slack rejected SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page; reinstall the app if it was revoked.`,
        ),
        { code: 'slack_token_rejected' },
      );
    }
    throw Object.assign(
      new Error(
        `Could not verify SLACK_BOT_TOKEN with Slack at ${apiUrl} (${(error as Error).message}). Check the network or proxy and SLACK_API_URL; npm run doctor shows details.`,
      ),
      { code: 'slack_unreachable' },
    );
  }
}

/** Short enough to type in `/attach-key status`, random enough never to collide in practice. */
function newRequestId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `ak-${id}`;
}
