import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The operations endpoints (issue 18). GET /metrics has a listener of its own on METRICS_PORT, in
// both modes, so a load balancer that exposes Slack's port to the internet does not expose the
// metrics with it. GET /healthz answers on both listeners. Slack's listener (PORT: Bolt's custom
// routes in HTTP mode, a small server of its own in Socket Mode) answers 404 to GET /metrics.

export interface OpsHandlers {
  /** 200 when the store answers, 503 when it does not. The body names no host. */
  health(): Promise<{ ok: boolean; body: Record<string, unknown> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type OpsRoute = { path: string; method: string[]; handler: Handler };

const healthzRoute = (handlers: OpsHandlers): OpsRoute => ({
  path: '/healthz',
  method: ['GET'],
  handler: (_req, res) => {
    handlers.health().then(
      ({ ok, body }) => send(res, ok ? 200 : 503, 'application/json', JSON.stringify(body)),
      () => send(res, 503, 'application/json', JSON.stringify({ ok: false })),
    );
  },
});

/** Slack's listener: /healthz, and a 404 for /metrics that tells an operator where it went. */
export function slackPortRoutes(handlers: OpsHandlers): OpsRoute[] {
  return [
    healthzRoute(handlers),
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) =>
        send(res, 404, 'text/plain', 'not found: /metrics is served on METRICS_PORT\n'),
    },
  ];
}

/** The metrics listener: /metrics and /healthz. */
export function metricsPortRoutes(handlers: OpsHandlers): OpsRoute[] {
  return [
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        handlers.metrics().then(
          ({ contentType, body }) => send(res, 200, contentType, body),
          () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
        );
      },
    },
    healthzRoute(handlers),
  ];
}

/** A server of its own for these routes; everything else is 404. */
export async function startOpsServer(
  routes: readonly OpsRoute[],
  listen: { host: string; port: number },
): Promise<{ server: Server; port: number }> {
  const served = routes.map((r) => `GET ${r.path}`).join(' and ');
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) return send(res, 404, 'text/plain', `not found: this port serves ${served}\n`);
    if (!route.method.includes(req.method ?? '')) {
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    route.handler(req, res);
  });
  server.listen(listen.port, listen.host);
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

/** Which variables set a listener's address, and what it serves (for the message below). */
export interface Listener {
  host: string;
  port: number;
  variables: string;
  serves: string;
}

/** A port that cannot be listened on gets a message that says which one and what to do. */
export async function explainListen<T>(listening: Promise<T>, at: Listener): Promise<T> {
  try {
    return await listening;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    throw Object.assign(
      new Error(
        `Port ${at.port} on ${at.host} ${why}. Set ${at.variables} to a free one: the bot serves ${at.serves} there.`,
      ),
      { code: 'port_unavailable' },
    );
  }
}
