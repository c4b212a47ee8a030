import { type AccountView, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import type { ApprovalPolicy } from '../domain/policy.js';
import type { PublicKeyRegistry } from './key-registry.js';
import type {
  AuditEvent,
  AuditEventBase,
  AuditLog,
  Clock,
  EcsApi,
  Logger,
  Notifier,
  RequestStore,
} from './ports.js';
import { createCoalescer } from './run-limited.js';

// What every part of the service shares: its dependencies, the clock, the audit trail, background
// work tracking and the coalesced card updates.

/** User-group membership (Slack usergroups.users.list), cached by the adapter. */
export interface ApproverDirectory {
  /** Members of each group; undefined for a group whose members are unknown (fail closed). */
  membersOf(groupIds: readonly string[]): Promise<Map<string, ReadonlySet<string> | undefined>>;
  /** Of these groups, those whose members were known once but too long ago to use. */
  stale?(groupIds: readonly string[]): { groups: string[]; afterMinutes: number } | undefined;
}

/** What the service observes happening, for metrics. Every method is optional and must not throw. */
export interface ServiceObserver {
  /** `account`: the request's (ACCOUNTS_FILE), absent for `default`. */
  requestFinished?(kind: string, status: string, account?: string): void;
  decisionRecorded?(
    kind: string,
    decision: 'approval' | 'approved' | 'rejected' | 'expired',
    account?: string,
  ): void;
  executionsInFlight?(count: number): void;
}

export interface ServiceSettings {
  policy: ApprovalPolicy;
  /** ACCOUNTS_FILE: the accounts served (absent: one account, `default`, and requests name none). */
  accounts?: readonly AccountView[];
  requesterIds: readonly string[];
  allowedChannelIds: readonly string[];
  maxInstancesPerRequest: number;
  /** MAX_OPEN_REQUESTS_PER_USER: pending requests one requester may have. */
  maxOpenRequestsPerUser: number;
  requestTtlMinutes: number;
  sandbox: boolean;
  /** Mutation calls of one phase sent at once. */
  maxConcurrency: number;
  /** Closed requests older than this leave the store for the audit trail. */
  retentionDays: number;
  restart: { waveSize: number; waveTimeoutMs: number };
  undoWindowHours: number;
  /** APPLY_NOW_USER: whose ~/.ssh/authorized_keys an apply now changes. */
  applyNowUser: string;
  /** How long an execution lease lasts without renewal. */
  leaseSeconds: number;
}

export interface ServiceDeps {
  store: RequestStore;
  /** The client of account `default` (and of every request when `ecsFor` is absent). */
  ecs: EcsApi;
  /**
   * ACCOUNTS_FILE: each account's own client (credentials, concurrency budget); undefined for a
   * name that is not configured. Use `ecsOf`.
   */
  ecsFor?: (account: string) => EcsApi | undefined;
  notifier: Notifier;
  audit: AuditLog;
  /** The public keys the bot knows (apply now, the import command). */
  keys: PublicKeyRegistry;
  directory: ApproverDirectory;
  clock: Clock;
  logger: Logger;
  newRequestId: () => string;
  /** This replica's name in execution leases. */
  replicaId: string;
  settings: ServiceSettings;
  /** Waits between restart polls and store retries (tests move a manual clock). */
  sleep?: (ms: number) => Promise<void>;
  observer?: ServiceObserver;
}

export interface ServiceContext {
  deps: ServiceDeps;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Appends to the audit trail; a failure is logged, never thrown (the work already happened). */
  record(event: Omit<AuditEvent, 'at' | 'type'> & { type: AuditEventBase }): Promise<void>;
  /** Registers background work so stop() and idle() wait for it. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Schedules a card update; updates for one request coalesce. */
  refreshCard(requestId: string): void;
  isAccepting(): boolean;
  stopAccepting(): void;
  background(): Promise<unknown>[];
  cardsIdle(): Promise<void>;
}

/**
 * An audit event's account fields: the request's account and its id (ACCOUNTS_FILE); none for a
 * request of `default`.
 */
export function accountOf(request: { account?: string; accountId?: string }): {
  account?: string;
  accountId?: string;
} {
  return {
    ...(request.account ? { account: request.account } : {}),
    ...(request.account && request.accountId ? { accountId: request.accountId } : {}),
  };
}

/**
 * The client that speaks for `account` (a request's: absent is `default`). An account no longer
 * configured gets a client whose every call fails, naming it: a request is never run with another
 * account's credentials.
 */
export function ecsOf(
  deps: Pick<ServiceDeps, 'ecs' | 'ecsFor'>,
  account: string | undefined,
): EcsApi {
  const name = account ?? DEFAULT_ACCOUNT;
  if (!deps.ecsFor) {
    return name === DEFAULT_ACCOUNT ? deps.ecs : unconfigured(name);
  }
  return deps.ecsFor(name) ?? unconfigured(name);
}

function unconfigured(account: string): EcsApi {
  const fail = async () => {
    throw Object.assign(
      new Error(`account ${account} is not configured (ACCOUNTS_FILE): no call is made for it`),
      { code: 'AccountNotConfigured' },
    );
  };
  return new Proxy({} as EcsApi, { get: () => fail });
}

export function createContext(deps: ServiceDeps): ServiceContext {
  const background = new Set<Promise<unknown>>();
  let accepting = true;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  const track = <T>(promise: Promise<T>): Promise<T> => {
    background.add(promise);
    promise.finally(() => background.delete(promise)).catch(() => {});
    return promise;
  };
  const cards = createCoalescer(async (id) => {
    const request = await deps.store.get(id);
    if (request?.card) await deps.notifier.updateCard(request);
  });

  return {
    deps,
    now: () => deps.clock.now(),
    sleep,
    async record(event) {
      // A restart's events read restart_step_sent, an undo's undo_approved, an apply now's
      // apply_requested…: grep-able by kind.
      const type =
        event.kind === 'restart' || event.kind === 'undo' || event.kind === 'apply'
          ? `${event.kind}_${event.type}`
          : event.type;
      try {
        await deps.audit.append({
          ...event,
          type,
          at: deps.clock.now().toISOString(),
        } as AuditEvent);
      } catch (error) {
        deps.logger.error('audit append failed', {
          requestId: event.requestId,
          event: event.type,
          error,
        });
      }
    },
    track,
    refreshCard: (id) => void track(cards.schedule(id)),
    isAccepting: () => accepting,
    stopAccepting: () => {
      accepting = false;
    },
    background: () => [...background],
    cardsIdle: () => cards.idle(),
  };
}
