import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// GET /healthz and GET /metrics, in both modes (issue 15): Bolt's custom routes in HTTP mode, and
// in Socket Mode a small server of their own on PORT that answers these two routes only.

export interface OpsHandlers {
  /** 200 when the store answers, 503 when it does not. */
  health(): Promise<{ ok: boolean; body: Record<string, unknown> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function opsRoutes(
  handlers: OpsHandlers,
): Array<{ path: string; method: string[]; handler: Handler }> {
  const healthz: Handler = (_req, res) => {
    handlers.health().then(
      ({ ok, body }) => send(res, ok ? 200 : 503, 'application/json', JSON.stringify(body)),
      () => send(res, 503, 'application/json', JSON.stringify({ ok: false })),
    );
  };
  const metrics: Handler = (_req, res) => {
    handlers.metrics().then(
      ({ contentType, body }) => send(res, 200, contentType, body),
      () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
    );
  };
  return [
    { path: '/healthz', method: ['GET'], handler: healthz },
    { path: '/metrics', method: ['GET'], handler: metrics },
  ];
}

/** Socket Mode: the two routes on their own port; everything else is 404. */
export async function startOpsServer(
  handlers: OpsHandlers,
  listen: { host: string; port: number },
): Promise<{ server: Server; port: number }> {
  const routes = opsRoutes(handlers);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route)
      return send(
        res,
        404,
        'text/plain',
        'not found: this port serves GET /healthz and GET /metrics\n',
      );
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
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

/** A port that cannot be listened on gets a message that says which one and what to do. */
export async function explainListen<T>(
  listening: Promise<T>,
  at: { host: string; port: number },
): Promise<T> {
  try {
    return await listening;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    throw Object.assign(
      new Error(
        `Port ${at.port} on ${at.host} ${why}. Set PORT (and HOST) to a free one: the bot serves /healthz and /metrics there (and POST /slack/events in HTTP mode).`,
      ),
      { code: 'port_unavailable' },
    );
  }
}
