import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { buttonClick } from '../support/slack-requests.js';

// Socket Mode, the README's default path: apps.connections.open on the fake Web API points the
// bot at a loopback WebSocket server that plays Slack's side of the envelope protocol.

let h: Harness | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.stop();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
});

describe('Socket Mode', () => {
  it('acks a command envelope, posts the card, and runs an approval sent over the socket', async () => {
    const slack = await startFakeSlackApi();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    slack.socketModeUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const frames: Record<string, unknown>[] = [];
    let socket: WebSocket | undefined;
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => frames.push(JSON.parse(String(data))));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1 }));
    });

    h = await startHarness({
      slack,
      env: { SLACK_APP_TOKEN: 'xapp-fake-harness-app-token', SLACK_SIGNING_SECRET: '' },
    });
    const opened = slack.callsTo('apps.connections.open')[0];
    expect(opened?.authorization).toBe('Bearer xapp-fake-harness-app-token');
    const send = (envelope: Record<string, unknown>) => socket?.send(JSON.stringify(envelope));

    send({
      envelope_id: 'env-command',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        command: '/attach-key',
        text: 'i-aaaa1111 key=ops-key',
        user_id: 'UREQ',
        channel_id: 'C0OPS',
        team_id: 'T0FAKE',
        api_app_id: 'A0FAKE',
        trigger_id: 't',
        response_url: slack.responseUrl('socket-command'),
      },
    });
    const ack = await slack.waitFor(
      () => frames.find((f) => f.envelope_id === 'env-command'),
      'ack',
    );
    expect(ack.envelope_id).toBe('env-command');
    // LOG_LEVEL=debug logs every envelope whole: its response_url is redacted (issue 18).
    const envelopeLine = await slack.waitFor(
      () => h?.logs.find((l) => l.includes('env-command') && l.includes('response_url')),
      'the debug line of the command envelope',
    );
    expect(envelopeLine).toMatch(/response_url\\?":\\?"\[redacted\]/);
    expect(h.logs.join('\n')).not.toContain(slack.responseUrl('socket-command'));
    const card = await slack.waitFor(() => slack.callsTo('chat.postMessage')[0], 'the card');
    const requestId = (await h.bot.service.recent({ limit: 1 }))[0]?.id as string;
    await h.waitForStored(requestId, (r) => !!r.card, 'card stored');

    send({
      envelope_id: 'env-click',
      type: 'interactive',
      accepts_response_payload: false,
      payload: buttonClick({
        actionId: 'approve_request',
        value: requestId,
        userId: 'UAPP1',
        channelId: 'C0OPS',
        messageTs: String(card.params.ts ?? (await h.store(requestId)).card?.ts),
        responseUrl: slack.responseUrl('socket-click'),
      }),
    });
    const ts = (await h.store(requestId)).card?.ts as string;
    const thread = await h.waitForThread(ts);
    expect(messageText(thread[0])).toContain('1 succeeded');
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    expect(frames.some((f) => f.envelope_id === 'env-click')).toBe(true);

    // Socket Mode opens PORT for /healthz only, and METRICS_PORT for /metrics and /healthz.
    const base = `http://127.0.0.1:${h.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, store: 'ok' });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    await h.waitForStatus(requestId, 'done');
    await h.bot.service.idle();
    const metricsBase = `http://127.0.0.1:${h.metricsPort}`;
    expect((await fetch(`${metricsBase}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${metricsBase}/metrics`)).text();
    expect(metrics).toContain(
      'attach_key_bot_requests_finished_total{kind="attach",status="done"} 1',
    );
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
