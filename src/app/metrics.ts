import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceObserver } from '../service/context.js';

// GET /metrics in the Prometheus text format (issue 15), with prom-client. Every label value comes
// from a small fixed set (kinds, statuses, actions, outcomes, error codes the API or we define,
// Slack method names): no instance ids, request ids or user text, so cardinality stays bounded.

/** How often the open-requests gauge is read from the store, whatever the scrape rate. */
export const OPEN_REQUESTS_REFRESH_MS = 15_000;

export interface Metrics {
  registry: Registry;
  /** The service's observer: requests by kind and final status, decisions, executions in flight. */
  observer: ServiceObserver;
  volcCall(info: {
    /** ACCOUNTS_FILE: the account whose client made the call. */
    account?: string;
    action: string;
    outcome: 'ok' | 'error';
    code?: string;
    durationMs: number;
  }): void;
  slackError(method: string): void;
  credentialRefresh(ok: boolean, account?: string): void;
  /**
   * Reads the open requests for their gauge. A timer calls this (every OPEN_REQUESTS_REFRESH_MS):
   * a scrape reads only the last count, so the scrape rate never reaches the store.
   */
  refreshOpenRequests(
    read: () => Promise<ReadonlyArray<{ status: string; kind: string; account?: string }>>,
  ): Promise<void>;
  render(): Promise<string>;
  contentType: string;
}

/** API error codes look like `InvalidInstance.NotFound`; anything else is folded into `other`. */
const CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;
const label = (value: string | undefined, fallback = 'none') =>
  value && CODE.test(value) ? value : value ? 'other' : fallback;

/**
 * `accounts`: with ACCOUNTS_FILE, the configured account names; every series then carries an
 * `account` label, one of them (anything else is `other`). Without the file the series are as
 * they always were, with no `account` label.
 */
export function createMetrics(options: { accounts?: readonly string[] } = {}): Metrics {
  const registry = new Registry();
  const names = options.accounts ? new Set(options.accounts) : undefined;
  const byAccount = names !== undefined;
  /** The account label, when series carry one: a configured name, else `default`/`other`. */
  const acc = (account: string | undefined): { account?: string } =>
    byAccount
      ? { account: account === undefined ? 'default' : names.has(account) ? account : 'other' }
      : {};
  const withAccount = <const T extends readonly string[]>(labels: T) =>
    (byAccount ? [...labels, 'account'] : labels) as unknown as T;
  collectDefaultMetrics({ register: registry, prefix: 'attach_key_bot_' });

  const finished = new Counter({
    name: 'attach_key_bot_requests_finished_total',
    help: 'Requests that reached a final status, by operation kind and status',
    labelNames: withAccount(['kind', 'status'] as const),
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'attach_key_bot_decisions_total',
    help: 'Approvals counted, requests approved, rejected and expired, by operation kind',
    labelNames: withAccount(['kind', 'decision'] as const),
    registers: [registry],
  });
  const volcCalls = new Counter({
    name: 'attach_key_bot_volcengine_calls_total',
    help: 'Volcengine API calls (after retries) by action, outcome and error code',
    labelNames: withAccount(['action', 'outcome', 'code'] as const),
    registers: [registry],
  });
  const volcLatency = new Histogram({
    name: 'attach_key_bot_volcengine_call_seconds',
    help: 'Time of one Volcengine API call including its retries, by action',
    labelNames: withAccount(['action'] as const),
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const slackErrors = new Counter({
    name: 'attach_key_bot_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method',
    labelNames: ['method'] as const,
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'attach_key_bot_credential_refreshes_total',
    help: 'STS AssumeRole credential refreshes, by outcome',
    labelNames: withAccount(['outcome'] as const),
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'attach_key_bot_executions_in_flight',
    help: 'Requests this replica is executing now',
    registers: [registry],
  });
  // The last count read (kind, status → n); undefined while the store could not be read.
  type OpenCount = { kind: string; status: string; account?: string; n: number };
  let openCounts: Map<string, OpenCount> | undefined;
  const open = new Gauge({
    name: 'attach_key_bot_open_requests',
    help: 'Requests not closed yet (pending approval, running, or results not posted), by kind and status',
    labelNames: withAccount(['kind', 'status'] as const),
    registers: [registry],
    collect() {
      this.reset();
      for (const { n, ...labels } of openCounts?.values() ?? []) this.set(labels, n);
    },
  });
  void open;

  return {
    registry,
    contentType: registry.contentType,
    observer: {
      requestFinished: (kind, status, account) =>
        finished.inc({ kind: label(kind), status: label(status), ...acc(account) }),
      decisionRecorded: (kind, decision, account) =>
        decisions.inc({ kind: label(kind), decision, ...acc(account) }),
      executionsInFlight: (count) => inFlight.set(count),
    },
    volcCall(info) {
      const account = acc(info.account);
      volcCalls.inc({
        action: label(info.action),
        outcome: info.outcome,
        code: label(info.code),
        ...account,
      });
      volcLatency.observe({ action: label(info.action), ...account }, info.durationMs / 1000);
    },
    slackError: (method) => slackErrors.inc({ method: label(method) }),
    credentialRefresh: (ok, account) =>
      refreshes.inc({ outcome: ok ? 'ok' : 'error', ...acc(account) }),
    async refreshOpenRequests(read) {
      try {
        const counts = new Map<string, OpenCount>();
        for (const r of await read()) {
          const kind = label(r.kind);
          const status = label(r.status);
          const account = acc(r.account);
          const key = `${kind}\n${status}\n${account.account ?? ''}`;
          const entry = counts.get(key) ?? { kind, status, ...account, n: 0 };
          entry.n++;
          counts.set(key, entry);
        }
        openCounts = counts;
      } catch {
        // The store is down: /healthz says so; the gauge keeps no stale value.
        openCounts = undefined;
      }
    },
    render: () => registry.metrics(),
  };
}
