import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestStore } from '../../src/service/ports.js';
import {
  eventually,
  type Harness,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';
import { type FakeStsApi, startFakeStsApi } from '../support/fake-sts-api.js';

// Issue 15 from the outside: /metrics after a request (bounded labels, no instance ids), health,
// and the whole bot on STS AssumeRole credentials instead of its base key.

let h: Harness;
let sts: FakeStsApi | undefined;
afterEach(async () => {
  await h?.stop();
  await sts?.close();
  sts = undefined;
});

describe('/metrics and /healthz in HTTP mode', () => {
  it('counts requests, decisions and Volcengine calls, with no instance id in any label', async () => {
    h = await startHarness({ overrides: { openRequestsRefreshMs: 20 } });
    h.ecs.failInstance('i-bad00001', 'InvalidInstanceStatus');
    const { requestId, ts } = await h.request('i-good0001 i-bad00001 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    await h.bot.service.idle();
    const pending = await h.request('i-wait0001 key=ops-key');
    expect(pending.requestId).toBeTruthy();

    const base = `http://127.0.0.1:${h.metricsPort}`;
    const pendingSeries = 'attach_key_bot_open_requests{kind="attach",status="pending"} 1';
    // The gauge is read from the store by a timer (here every 20 ms), never by a scrape.
    const response = await eventually(async () => {
      const scraped = await fetch(`${base}/metrics`);
      return (await scraped.clone().text()).includes(pendingSeries) && scraped;
    }, 'the pending request in the gauge');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('attach_key_bot_requests_finished_total{kind="attach",status="done"} 1');
    expect(text).toContain('attach_key_bot_decisions_total{kind="attach",decision="approved"} 1');
    expect(text).toMatch(
      /attach_key_bot_volcengine_calls_total\{action="AttachKeyPair",outcome="ok",code="none"\} 1/,
    );
    expect(text).toMatch(
      /attach_key_bot_volcengine_calls_total\{action="DescribeInstances",outcome="ok",code="none"\} \d/,
    );
    expect(text).toMatch(
      /attach_key_bot_volcengine_call_seconds_bucket\{le="[\d.]+",action="AttachKeyPair"\} 1/,
    );
    expect(text).toContain('attach_key_bot_executions_in_flight 0');
    expect(text).not.toMatch(/i-good0001|i-bad00001|i-wait0001|ak-[a-z0-9]{8}|UREQ|UAPP1/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, store: 'ok' });
  });
});

describe('the metrics listener (issue 18)', () => {
  it('serves /metrics on METRICS_PORT only: PORT answers 404; /healthz on both, naming no host', async () => {
    h = await startHarness();
    expect(h.metricsPort).not.toBe(h.port);
    const slack = `http://127.0.0.1:${h.port}`;
    const metrics = `http://127.0.0.1:${h.metricsPort}`;
    const moved = await fetch(`${slack}/metrics`);
    expect(moved.status).toBe(404);
    expect(await moved.text()).not.toContain('attach_key_bot');
    const served = await fetch(`${metrics}/metrics`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('attach_key_bot_executions_in_flight 0');
    for (const base of [slack, metrics]) {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      const body = await health.text();
      expect(JSON.parse(body)).toEqual({ ok: true, store: 'ok' });
      expect(body).not.toContain(hostname());
    }
    // The metrics port serves nothing of Slack's.
    expect((await fetch(`${metrics}/slack/events`, { method: 'POST', body: '' })).status).toBe(404);
  });

  it('answers 1,000 scrapes from the last count: a handful of store queries at most', async () => {
    let queries = 0;
    const counting = (store: RequestStore): RequestStore =>
      new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            queries++;
            return value.apply(target, args);
          };
        },
      });
    h = await startHarness({ overrides: { wrapStore: counting } });
    await h.request('i-wait0001 key=ops-key');
    await h.bot.service.idle();
    const url = `http://127.0.0.1:${h.metricsPort}/metrics`;
    const before = queries;
    for (let round = 0; round < 100; round++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => fetch(url).then((r) => r.text())),
      );
      for (const text of answers) expect(text).toContain('attach_key_bot_open_requests');
    }
    const caused = queries - before;
    // The timers of the service (expiry, takeover) may read the store meanwhile; scrapes never do.
    expect(caused).toBeLessThanOrEqual(5);
  });

  it('refuses to start when METRICS_PORT is in use, naming it', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as AddressInfo).port);
    try {
      await expect(startHarness({ env: { METRICS_PORT: port } })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use. Set METRICS_PORT (and METRICS_HOST) to a free one`,
      );
    } finally {
      busy.close();
    }
  });
});

describe('the port', () => {
  it('refuses to start on a port in use, saying which one and what to set', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as AddressInfo).port);
    try {
      await expect(startHarness({ env: { PORT: port } })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use. Set PORT (and HOST) to a free one`,
      );
    } finally {
      busy.close();
    }
  });
});

describe('STS AssumeRole', () => {
  it('signs every ECS call with the temporary credentials and their X-Security-Token', async () => {
    sts = await startFakeStsApi({ baseCredentials: VOLC_CREDENTIALS, lifetimeSeconds: 3600 });
    const issuer = sts;
    const ecs = await startFakeEcsApi({
      // Only keys the fake STS issued are valid here: the base key itself is refused.
      credentials: (accessKeyId) => issuer.resolve(accessKeyId),
    });
    h = await startHarness({
      ecs,
      env: {
        VOLC_ROLE_TRN: 'trn:iam::2100000001:role/attach-key-bot',
        VOLC_STS_ENDPOINT: sts.url,
      },
    });
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');

    expect(sts.calls.length).toBeGreaterThanOrEqual(1);
    expect(sts.calls[0]).toMatchObject({
      auth: { ok: true },
      query: {
        Action: 'AssumeRole',
        Version: '2018-01-01',
        RoleTrn: 'trn:iam::2100000001:role/attach-key-bot',
      },
    });
    const issued = sts.issued[0];
    const calls = h.ecs.calls;
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      expect(call.auth).toEqual({ ok: true });
      expect(call.accessKeyId).toBe(issued?.accessKeyId);
      expect(call.headers['x-security-token']).toBe(issued?.sessionToken);
      expect(call.signedHeaders).toContain('x-security-token');
    }
    expect(h.logs.join('\n')).not.toContain(String(issued?.secretAccessKey));
    expect(h.logs.join('\n')).not.toContain(String(issued?.sessionToken));
  });
});
