import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Config } from '../config/config.js';
import {
  explainListen,
  metricsPortRoutes,
  type OpsHandlers,
  slackPortRoutes,
  startOpsServer,
} from './ops-server.js';

// The bot's listeners: the metrics listener (METRICS_PORT) and Slack's (PORT): Bolt's HTTP
// receiver, or in Socket Mode a small server for /healthz beside the socket.

export interface Listening {
  /** Slack's listener: Bolt's in HTTP mode, the ops server in Socket Mode. */
  port: number;
  metricsPort: number;
  /** Closes the servers this module opened (Bolt's own is closed by app.stop()). */
  close(): void;
}

export async function listen(
  app: App,
  config: Pick<Config, 'http' | 'metrics' | 'slack'>,
  ops: OpsHandlers,
): Promise<Listening> {
  const opened: Server[] = [];
  const close = () => {
    for (const server of opened) {
      server.closeAllConnections();
      server.close();
    }
  };
  try {
    // Opened first, so a port in use stops the start before Slack's listener or socket opens.
    const metrics = await explainListen(startOpsServer(metricsPortRoutes(ops), config.metrics), {
      ...config.metrics,
      variables: 'METRICS_PORT (and METRICS_HOST)',
      serves: '/metrics and /healthz',
    });
    opened.push(metrics.server);
    const slack = {
      ...config.http,
      variables: 'PORT (and HOST)',
      serves: config.slack.socketMode ? '/healthz' : 'POST /slack/events and /healthz',
    };
    if (config.slack.socketMode) {
      // Socket Mode needs no inbound port for Slack; this one serves /healthz only.
      const started = await explainListen(startOpsServer(slackPortRoutes(ops), config.http), slack);
      opened.push(started.server);
      await app.start();
      return { port: started.port, metricsPort: metrics.port, close };
    }
    const server = (await explainListen(
      app.start({ port: config.http.port, host: config.http.host }),
      slack,
    )) as Server;
    const port = (server.address() as { port: number }).port;
    return { port, metricsPort: metrics.port, close };
  } catch (error) {
    close();
    throw error;
  }
}
