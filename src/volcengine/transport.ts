import { Agent, request } from 'undici';

// The wire under every Volcengine call: one GET in, status/headers/body out. The client signs
// and retries above it; tests and the sandbox replace it.

export interface TransportRequest {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** A keep-alive undici Agent; `connections` caps sockets per origin (ECS and STS alike). */
export function createUndiciTransport(
  options: { connections?: number } = {},
): Transport & { close(): Promise<void> } {
  const agent = new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });
  const transport: Transport = async (req) => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      signal: req.signal,
      dispatcher: agent,
    });
    const body = await res.body.text();
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers, body };
  };
  return Object.assign(transport, { close: () => agent.close() });
}
