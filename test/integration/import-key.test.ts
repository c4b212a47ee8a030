import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { parsePublicKey } from '../../src/domain/public-key.js';
import { type Harness, startHarness, VOLC_CREDENTIALS } from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { makeTestKey } from '../support/ssh-keys.js';

// `/attach-key import` over signed HTTP against the fake ECS: a new name imported (its answer's
// fingerprint checked), an existing one recorded only when its fingerprint matches, and a private
// key refused with a warning and never logged, stored, echoed or sent, at LOG_LEVEL=debug, over
// HTTP and over Socket Mode (whose client logs every frame it receives at debug).

let h: Harness | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
});

const fingerprint = (line: string) => {
  const parsed = parsePublicKey(line);
  if (!parsed.ok) throw new Error('not a public key');
  return parsed.key.fingerprint;
};

async function harness(
  keyPairs: Array<{ keyPairId: string; keyPairName: string; fingerprint?: string }> = [],
) {
  const ecs = await startFakeEcsApi({
    credentials: VOLC_CREDENTIALS,
    strictKeyPairs: true,
    keyPairs,
  });
  h = await startHarness({ ecs });
  return h;
}

async function reply(text: string, user = 'UREQ') {
  const bot = h as Harness;
  const { replyId } = await bot.command(text, { user });
  return String((await bot.responseTo(replyId)).text);
}

describe('/attach-key import', () => {
  it('imports a new key pair, checks the answer’s fingerprint, keeps the public key and audits it', async () => {
    const bot = await harness();
    const key = makeTestKey('ecdsa-256', 'dana@laptop');
    const text = await reply(`import ops-key.2026 ${key.line} region=cn-shanghai`);
    const fp = fingerprint(key.line);
    expect(text).toContain('Imported `ops-key.2026`');
    expect(text).toContain(`\`${fp}\` matches`);
    const [call] = bot.ecs.callsFor('ImportKeyPair');
    expect(call?.auth.ok).toBe(true);
    expect(call?.region).toBe('cn-shanghai');
    expect(call?.query).toMatchObject({ KeyPairName: 'ops-key.2026', PublicKey: key.line });
    expect(call?.query.ClientToken).toMatch(/^akb-import-[0-9a-f]{40}$/);
    const created = bot.ecs.simulator.keyPair({ keyPairName: 'ops-key.2026' }, 'cn-shanghai');
    expect(created?.fingerprint).toBe(fp);
    expect(await bot.bot.service.knowsPublicKey(created?.keyPairId as string)).toBe(true);
    const importId = /audit id `([^`]+)`/.exec(text)?.[1] as string;
    const trail = await bot.auditEvents(importId);
    expect(trail).toEqual([
      expect.objectContaining({
        type: 'key_imported',
        kind: 'import',
        actor: 'UREQ',
        keyPairName: 'ops-key.2026',
        keyPairId: created?.keyPairId,
        fingerprint: fp,
        region: 'cn-shanghai',
      }),
    ]);
  });

  it('records the public key of an existing key pair whose fingerprint matches, importing nothing', async () => {
    const key = makeTestKey('ed25519');
    const bot = await harness([
      { keyPairId: 'kp-existing01', keyPairName: 'team-key', fingerprint: fingerprint(key.line) },
    ]);
    const text = await reply(`导入 team-key ${key.line}`);
    expect(text).toContain('`team-key` (`kp-existing01`) already exists');
    expect(bot.ecs.callsFor('ImportKeyPair')).toHaveLength(0);
    expect(await bot.bot.service.knowsPublicKey('kp-existing01')).toBe(true);
  });

  it('refuses an existing key pair with another key, showing both fingerprints, recording nothing', async () => {
    const theirs = makeTestKey('ed25519');
    const mine = makeTestKey('ed25519');
    const bot = await harness([
      {
        keyPairId: 'kp-existing02',
        keyPairName: 'team-key',
        fingerprint: fingerprint(theirs.line),
      },
    ]);
    const text = await reply(`import team-key ${mine.line}`);
    expect(text).toContain('already exists with another key');
    expect(text).toContain(fingerprint(theirs.line));
    expect(text).toContain(fingerprint(mine.line));
    expect(await bot.bot.service.knowsPublicKey('kp-existing02')).toBe(false);
    expect(bot.ecs.callsFor('ImportKeyPair')).toHaveLength(0);
  });

  it('applies the requester rules: someone not allowed to ask imports nothing', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      strictKeyPairs: true,
      keyPairs: [],
    });
    h = await startHarness({ ecs, env: { REQUESTER_USER_IDS: 'UREQ' } });
    const text = await reply(`import ops-key ${makeTestKey('ed25519').line}`, 'USTRANGER');
    expect(text).toContain('REQUESTER_USER_IDS');
    expect(ecs.calls).toHaveLength(0);
  });

  it('says what is wrong with a key it cannot use, and calls nothing', async () => {
    const bot = await harness();
    const text = await reply(`import ops-key ${makeTestKey('rsa-1024').line}`);
    expect(text).toContain('this RSA key has 1,024 bits; at least 2,048 are needed');
    expect(bot.ecs.calls).toHaveLength(0);
  });
});

describe('a private key pasted into the command', () => {
  const pem = makeTestKey('ed25519').privatePem;
  /** Pieces of the key that must appear nowhere: its base64 lines and its header. */
  const pieces = [
    ...pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .map((l) => l.slice(4, 24)),
    'BEGIN PRIVATE KEY',
  ];
  const leaks = (text: string) => pieces.filter((p) => text.includes(p));

  it('is refused with the warning, and no part of it is logged, stored, echoed or sent (HTTP)', async () => {
    const bot = await harness();
    expect(bot.config.log.level).toBe('debug');
    const text = await reply(`import ops-key ${pem}`);
    expect(text).toContain('That was a PRIVATE key');
    expect(text).toContain('treat it as leaked');
    await bot.bot.service.idle();
    expect(leaks(text)).toEqual([]);
    expect(leaks(bot.logs.join('\n'))).toEqual([]);
    expect(bot.logs.some((l) => l.includes('private key pasted into the command: refused'))).toBe(
      true,
    );
    expect(leaks(JSON.stringify(bot.slack.calls))).toEqual([]);
    expect(leaks(JSON.stringify(bot.slack.responses))).toEqual([]);
    expect(bot.ecs.calls).toHaveLength(0);
    expect(await bot.bot.service.recent({ limit: 5 })).toEqual([]);
  });

  it('stays out of the logs in Socket Mode, whose client logs each frame at debug', async () => {
    const slack = await startFakeSlackApi();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    slack.socketModeUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    let socket: WebSocket | undefined;
    wss.on('connection', (ws) => {
      socket = ws;
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1 }));
    });
    h = await startHarness({
      slack,
      env: { SLACK_APP_TOKEN: 'xapp-fake-harness-app-token', SLACK_SIGNING_SECRET: '' },
    });
    await slack.waitFor(() => socket, 'the socket');
    socket?.send(
      JSON.stringify({
        envelope_id: 'env-private-key',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/attach-key',
          text: `import ops-key ${pem}`,
          user_id: 'UREQ',
          channel_id: 'C0OPS',
          team_id: 'T0FAKE',
          api_app_id: 'A0FAKE',
          trigger_id: 't',
          response_url: slack.responseUrl('socket-private-key'),
        },
      }),
    );
    const warning = await h.responseTo('socket-private-key');
    expect(String(warning.text)).toContain('That was a PRIVATE key');
    await h.bot.service.idle();
    const logged = h.logs.join('\n');
    // The frame was logged (the redaction is what kept the key out).
    expect(logged).toContain('env-private-key');
    expect(logged).toContain('[redacted private key]');
    expect(leaks(logged)).toEqual([]);
  });
});
