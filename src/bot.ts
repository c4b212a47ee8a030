import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { App, type LogLevel, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import type { PolicyRule } from './domain/policy.js';
import { knownRegionsWith } from './domain/regions.js';
import type { MutationRequest } from './domain/request.js';
import { type AppLogger, createLogger, toBoltLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { opsRoutes, startOpsServer } from './ops-routes.js';
import { loadPolicyFile } from './policy-file.js';
import type { Clock, EcsApi } from './service/ports.js';
import { createService, type Service } from './service/service.js';
import { createAppHome } from './slack/app-home.js';
import { createApproverDirectory } from './slack/approver-directory.js';
import { registerListeners } from './slack/listeners.js';
import { createSlackNotifier } from './slack/notifier.js';
import { slackErrorCode, TOKEN_REJECTED } from './slack/slack-error.js';
import { createUserTexts } from './slack/user-texts.js';
import { openStores } from './store/open-store.js';
import { createEcsClient } from './volcengine/ecs-client.js';
import { createCredentialsProvider } from './volcengine/provider-from-config.js';
import { createSandboxTransport, SANDBOX_FACTS } from './volcengine/sandbox-ecs.js';
import { createUndiciTransport, type Transport } from './volcengine/transport.js';

// Composition root: the only file that imports across folders. It builds the adapters, the
// service and the Bolt app, and owns the timers (expiry and reminders, takeover of lapsed leases,
// retention) and the stop sequence.

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
  /** How long a stop waits for in-flight steps before leaving them to the journal. */
  stopGraceMs?: number;
  /** This replica's name in execution leases (tests running two bots). */
  replicaId?: string;
}

export interface Bot {
  app: App;
  service: Service;
  logger: AppLogger;
  /** Starts receiving; resolves with the bound HTTP port (Bolt's in HTTP mode, ops in Socket Mode). */
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
  const rules: PolicyRule[] = config.policy.policyFile
    ? await loadPolicyFile(config.policy.policyFile)
    : [];
  const metrics = createMetrics();

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
  const stores = await openStores({
    dataFile: config.storage.dataFile,
    ...(config.storage.auditFile ? { auditFile: config.storage.auditFile } : {}),
    ...(config.storage.databaseUrl ? { databaseUrl: config.storage.databaseUrl } : {}),
    waitForDatabase: {
      delayMs: 2_000,
      onWaiting: (error, attempt) => logger.warn('waiting for the database', { attempt, error }),
    },
  });
  const { store, audit } = stores;

  const transport: (Transport & { close?: () => Promise<void> }) | undefined = overrides.ecs
    ? undefined
    : config.sandbox
      ? createSandboxTransport()
      : createUndiciTransport({ connections: config.volc.maxConcurrency * 2 });
  const callPolicy = {
    timeoutMs: config.volc.timeoutMs,
    maxAttempts: config.volc.maxAttempts,
    deadlineMs: config.volc.deadlineMs,
    now: () => clock.now(),
    ...(overrides.volcSleep ? { sleep: overrides.volcSleep } : {}),
    ...(overrides.volcRandom ? { random: overrides.volcRandom } : {}),
  };
  const ecs =
    overrides.ecs ??
    createEcsClient({
      endpoint: config.volc.endpoint,
      credentials: createCredentialsProvider(config.volc, {
        ...callPolicy,
        ...(transport ? { transport } : {}),
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
      ...(transport ? { transport } : {}),
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

  const texts = createUserTexts({
    client: notifierClient,
    defaultLocale: config.defaultLocale,
    logger,
  });
  const directory = createApproverDirectory({ client: notifierClient, logger });
  let home: ReturnType<typeof createAppHome> | undefined;
  const notifier = createSlackNotifier({
    client: notifierClient,
    logger,
    sandbox: config.sandbox,
    channelTexts: texts.channel,
    textsFor: (user) => texts.forUser(user),
    approvers: config.policy.approverIds,
    undoWindowHours: config.followUps.undoWindowHours,
    now: () => clock.now(),
    onRequestChanged: (request: MutationRequest) => home?.requestChanged(request),
    onSlackError: (method) => metrics.slackError(method),
  });

  const replicaId =
    overrides.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const service = createService({
    store,
    ecs,
    notifier,
    audit,
    directory,
    clock,
    logger,
    newRequestId: overrides.newRequestId ?? newRequestId,
    replicaId,
    observer: metrics.observer,
    settings: {
      policy: {
        minApprovals: config.policy.minApprovals,
        approvers: config.policy.approverIds,
        allowSelfApproval: config.policy.allowSelfApproval,
        rules,
      },
      requesterIds: config.policy.requesterIds,
      allowedChannelIds: config.policy.allowedChannelIds,
      maxInstancesPerRequest: config.policy.maxInstancesPerRequest,
      requestTtlMinutes: config.policy.requestTtlMinutes,
      sandbox: config.sandbox,
      maxConcurrency: config.volc.maxConcurrency,
      retentionDays: config.storage.retentionDays,
      restart: {
        waveSize: config.followUps.restartWaveSize,
        waveTimeoutMs: config.followUps.restartWaveTimeoutMinutes * 60_000,
      },
      undoWindowHours: config.followUps.undoWindowHours,
      leaseSeconds: config.storage.leaseSeconds,
    },
  });
  home = createAppHome({
    client: notifierClient,
    service,
    directory,
    texts,
    logger,
    approvers: config.policy.approverIds,
    allowSelfApproval: config.policy.allowSelfApproval,
    now: () => clock.now(),
  });
  metrics.trackOpenRequests(() => store.listOpen());
  const ops = {
    health: async () => {
      const healthy = await store.ping().catch(() => false);
      return {
        ok: healthy,
        body: { ok: healthy, store: healthy ? 'ok' : 'unreachable', replica: replicaId },
      };
    },
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
  };

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
      : { signingSecret: config.slack.signingSecret as string, customRoutes: opsRoutes(ops) }),
  });
  app.error(async (error) => {
    logger.error('unhandled listener error', { error });
  });

  registerListeners(app, {
    service,
    logger,
    texts,
    defaultRegion: config.volc.region,
    regions: knownRegionsWith(config.volc.region),
    maxInstances: config.policy.maxInstancesPerRequest,
    sandbox: config.sandbox,
    ...(config.sandbox ? { helpAppendix: SANDBOX_FACTS } : {}),
    onHomeOpened: (user) => home?.opened(user) ?? Promise.resolve(),
  });

  const timers: NodeJS.Timeout[] = [];
  let opsServer: Server | undefined;
  let stopping: Promise<void> | undefined;
  const every = (ms: number, task: () => Promise<unknown>, what: string) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // a slow store must not stack sweeps up
      busy = true;
      task()
        .catch((error) => logger.error(`${what} failed`, { error }))
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    app,
    service,
    logger,
    async start() {
      let port: number | undefined;
      if (config.slack.socketMode) {
        await app.start();
        // Socket Mode needs no inbound port for Slack; this one serves /healthz and /metrics only.
        const started = await startOpsServer(ops, config.http);
        opsServer = started.server;
        port = started.port;
      } else {
        const server = (await app.start({
          port: config.http.port,
          host: config.http.host,
        })) as Server;
        port = (server.address() as { port: number }).port;
      }
      logger.info('attach-key-bot started', {
        mode: config.slack.socketMode ? 'socket' : 'http',
        port,
        ...(config.slack.socketMode
          ? { serves: '/healthz /metrics' }
          : { endpoint: '/slack/events' }),
        sandbox: config.sandbox,
        store: stores.kind,
        replica: replicaId,
        approvers: config.policy.approverIds.length,
        rules: rules.length,
      });
      // Expire what went stale while we were down, then finish what a previous process began.
      await service.expireDue().catch((error) => logger.error('expiry sweep failed', { error }));
      await service
        .archiveFinished()
        .catch((error) => logger.error('retention sweep failed', { error }));
      void service.resume().catch((error) => logger.error('resume failed', { error }));
      const ttlMs = config.policy.requestTtlMinutes * 60_000;
      const sweepMs = Math.min(30_000, Math.max(200, ttlMs / 8));
      every(sweepMs, () => service.expireDue(), 'expiry sweep');
      every(sweepMs, () => service.remindDue(), 'reminder sweep');
      // A replica that died leaves its leases to lapse; this picks their requests up.
      every(
        Math.max(1_000, (config.storage.leaseSeconds * 1000) / 2),
        () => service.resume(),
        'takeover scan',
      );
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
    opsServer?.closeAllConnections();
    opsServer?.close();
    await service.stop(overrides.stopGraceMs ?? 10_000);
    await home?.idle();
    await stores.close();
    await (ecs as { close?: () => Promise<void> }).close?.();
    if (overrides.ecs) await transport?.close?.();
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
