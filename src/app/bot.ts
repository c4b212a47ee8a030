import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { App, type LogLevel, webApi } from '@slack/bolt';
import type { Config } from '../config/config.js';
import { loadPolicyFile } from '../config/policy-file.js';
import type { PolicyRule } from '../domain/policy.js';
import { knownRegionsWith } from '../domain/regions.js';
import type { MutationRequest } from '../domain/request.js';
import { SANDBOX_FACTS } from '../sandbox/transport.js';
import type { Clock, EcsApi, RequestStore } from '../service/ports.js';
import { createService, type Service } from '../service/service.js';
import { createAppHome } from '../slack/app-home.js';
import { createApproverDirectory } from '../slack/approver-directory.js';
import { createChannels } from '../slack/channels.js';
import { registerListeners } from '../slack/listeners.js';
import { createSlackNotifier } from '../slack/notifier.js';
import { createPickers } from '../slack/pickers/pickers.js';
import { createUserTexts } from '../slack/user-texts.js';
import { verifyBotToken } from '../slack/verify-bot-token.js';
import { openStores } from '../store/open-store.js';
import { accountViews, checkRuleAccounts, identifyAccounts } from './accounts.js';
import { createEcsFromConfig } from './ecs.js';
import { type Listening, listen } from './listen.js';
import { type AppLogger, createLogger, toBoltLogger } from './logger.js';
import { createMetrics, OPEN_REQUESTS_REFRESH_MS } from './metrics.js';
import { slackPortRoutes } from './ops-server.js';
import { newRequestId } from './request-id.js';
import { serviceSettings } from './service-settings.js';
import { createTimers, startServiceWork } from './timers.js';

// Composition root: the only file that imports across folders. It builds the adapters, the
// service and the Bolt app, starts the service's periodic work (timers.ts) and owns the stop
// sequence.

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
  /** How often the open-requests gauge is read (default OPEN_REQUESTS_REFRESH_MS). */
  openRequestsRefreshMs?: number;
  /** Wraps the request store (tests count the queries a scrape causes). */
  wrapStore?: (store: RequestStore) => RequestStore;
}

export interface Bot {
  app: App;
  service: Service;
  logger: AppLogger;
  /**
   * Starts receiving; resolves with the bound ports: Slack's listener (Bolt's in HTTP mode, the
   * small ops server in Socket Mode) and the metrics listener.
   */
  start(): Promise<{ port?: number; metricsPort?: number }>;
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
  checkRuleAccounts(config, rules);
  // ACCOUNTS_FILE: what the chat side and the service know of each account (no credentials).
  const accounts = accountViews(config);
  const metrics = createMetrics(accounts ? { accounts: accounts.map((a) => a.name) } : {});

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
  const { audit, keys } = stores;
  const store = overrides.wrapStore ? overrides.wrapStore(stores.store) : stores.store;

  const volc = overrides.ecs
    ? undefined
    : createEcsFromConfig(config, {
        clock,
        logger,
        metrics,
        ...(overrides.volcSleep ? { sleep: overrides.volcSleep } : {}),
        ...(overrides.volcRandom ? { random: overrides.volcRandom } : {}),
      });
  const ecs = overrides.ecs ?? (volc as NonNullable<typeof volc>).ecs;

  const texts = createUserTexts({
    client: notifierClient,
    defaultLocale: config.defaultLocale,
    logger,
  });
  const directory = createApproverDirectory({
    client: notifierClient,
    logger,
    now: () => clock.now().getTime(),
  });
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
    knowsPublicKey: async (keyPairId) => !!(await keys.get(keyPairId)),
  });

  const replicaId =
    overrides.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const service = createService({
    store,
    ecs,
    ...(volc && accounts ? { ecsFor: volc.ecsFor } : {}),
    notifier,
    audit,
    keys,
    directory,
    clock,
    logger,
    newRequestId: overrides.newRequestId ?? newRequestId,
    replicaId,
    observer: metrics.observer,
    settings: serviceSettings(config, rules, accounts),
  });
  home = createAppHome({
    client: notifierClient,
    service,
    directory,
    texts,
    logger,
    approvers: config.policy.approverIds,
    now: () => clock.now(),
  });
  const ops = {
    // No replica id: it carries the host name, which a public health check must not reveal.
    health: async () => {
      const healthy = await store.ping().catch(() => false);
      return { ok: healthy, body: { ok: healthy, store: healthy ? 'ok' : 'unreachable' } };
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
      : {
          signingSecret: config.slack.signingSecret as string,
          customRoutes: slackPortRoutes(ops),
        }),
  });
  app.error(async (error) => {
    logger.error('unhandled listener error', { error });
  });

  // The modal's pickers read ECS directly (reads only), through the same client: in sandbox mode
  // they list the sandbox's fleet.
  // Each account's pickers read with its own client (and cache apart).
  const pickerSets = new Map(
    config.accounts.map((a, i) => [
      a.name,
      createPickers({
        ecs: (i === 0 ? ecs : volc?.ecsFor(a.name)) ?? ecs,
        logger: logger.child({ source: 'pickers', ...(accounts ? { account: a.name } : {}) }),
        now: () => clock.now().getTime(),
      }),
    ]),
  );
  const pickers = pickerSets.values().next().value as ReturnType<typeof createPickers>;
  registerListeners(app, {
    service,
    pickers,
    ...(accounts ? { accounts, pickersFor: (name: string) => pickerSets.get(name) } : {}),
    logger,
    texts,
    defaultRegion: config.volc.region,
    regions: knownRegionsWith(config.volc.region),
    maxInstances: config.policy.maxInstancesPerRequest,
    sandbox: config.sandbox,
    ...(config.sandbox ? { helpAppendix: SANDBOX_FACTS } : {}),
    onHomeOpened: (user) => home?.opened(user) ?? Promise.resolve(),
    home: {
      ...(identity.teamId ? { teamId: identity.teamId } : {}),
      ...(identity.enterpriseId ? { enterpriseId: identity.enterpriseId } : {}),
    },
    channels: createChannels({ client: notifierClient, logger }),
    allowedChannelIds: config.policy.allowedChannelIds,
    ...(identity.botName ? { botName: identity.botName } : {}),
  });

  const timers = createTimers(logger);
  let listening: Listening | undefined;
  const refreshOpen = () => metrics.refreshOpenRequests(() => store.listOpen());
  let stopping: Promise<void> | undefined;

  return {
    app,
    service,
    logger,
    async start() {
      await refreshOpen();
      if (accounts && volc && !config.sandbox) {
        await identifyAccounts(accounts, volc.identify, logger);
      }
      timers.every(
        overrides.openRequestsRefreshMs ?? OPEN_REQUESTS_REFRESH_MS,
        refreshOpen,
        'open requests gauge',
      );
      listening = await listen(app, config, ops);
      const { port, metricsPort } = listening;
      logger.info('attach-key-bot started', {
        mode: config.slack.socketMode ? 'socket' : 'http',
        port,
        ...(config.slack.socketMode ? { serves: '/healthz' } : { endpoint: '/slack/events' }),
        metricsPort,
        sandbox: config.sandbox,
        store: stores.kind,
        replica: replicaId,
        approvers: config.policy.approverIds.length,
        rules: rules.length,
        ...(accounts ? { accounts: accounts.map((a) => a.name) } : {}),
      });
      await startServiceWork(service, timers, {
        logger,
        requestTtlMinutes: config.policy.requestTtlMinutes,
        leaseSeconds: config.storage.leaseSeconds,
      });
      return { port, metricsPort };
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };

  async function stopAll(): Promise<void> {
    timers.clear();
    for (const p of pickerSets.values()) p.close();
    await app.stop().catch((error) => logger.warn('receiver stop failed', { error }));
    listening?.close();
    await service.stop(overrides.stopGraceMs ?? 10_000);
    await home?.idle();
    await stores.close();
    await volc?.close();
    logger.info('attach-key-bot stopped');
  }
}
