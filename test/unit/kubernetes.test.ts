import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SECRET_VARIABLES } from '../../src/config/config.js';
import { parsePolicyText } from '../../src/config/policy-file.js';
import {
  CREDENTIAL_PATTERNS,
  isSecretVariable,
  packageJson,
  REPO,
  readRepoFile,
  renderKustomize,
  settingOf,
  unknownVariables,
} from '../support/deploy-files.js';
import { healthcheck, last, readDockerfile, stage } from '../support/dockerfile.js';
import { Rendered, validateObject } from '../support/kubernetes.js';

// deploy/kubernetes rendered by `kubectl kustomize` (offline), each object checked against the
// Kubernetes schema, and the bot's Deployment against the bot: its variables, ports, probe path,
// user and writable places, for the base and every overlay.

const OVERLAYS = readdirSync(`${REPO}deploy/kubernetes/overlays`).sort();
const runtime = stage(readDockerfile(), 'runtime');
const [imageUid, imageGid] = last(runtime, 'USER').args.split(':').map(Number);
const healthScript = healthcheck(last(runtime, 'HEALTHCHECK').args).command[2] ?? '';
const HEALTH_PATH = /\+'(\/[^']*)'/.exec(healthScript)?.[1];

const render = (folder: string) => new Rendered(renderKustomize(folder));

describe.each(['base', ...OVERLAYS.map((o) => `overlays/${o}`)])('%s', (folder) => {
  const r = render(folder);
  const pod = r.deployment.spec?.template;
  const plain = r.plainEnv();

  it('renders objects that are valid for Kubernetes', async () => {
    expect(r.objects.length).toBeGreaterThan(0);
    for (const object of r.objects) await validateObject(object);
  });

  it('holds no secret: the bot reads them from the existing Secret attach-key-bot', () => {
    expect(r.ofKind('Secret')).toEqual([]);
    const text = JSON.stringify(r.objects);
    for (const pattern of CREDENTIAL_PATTERNS) expect(text).not.toMatch(pattern);
    expect(Object.keys(plain).filter(isSecretVariable)).toEqual([]);
    for (const [name, ref] of Object.entries(r.secretRefs())) {
      expect(SECRET_VARIABLES, name).toContain(name);
      expect(ref, name).toMatchObject({ name: 'attach-key-bot', key: name });
    }
  });

  it('sets only variables the bot reads', () => {
    const names = [...Object.keys(plain), ...Object.keys(r.secretRefs())];
    expect(names.length).toBeGreaterThan(0);
    expect(unknownVariables(names)).toEqual([]);
  });

  it('probes /healthz on the port the bot listens on, with a startup probe first', () => {
    const port = settingOf('PORT', plain);
    const { startupProbe, readinessProbe, livenessProbe } = r.container;
    for (const probe of [startupProbe, readinessProbe, livenessProbe]) {
      expect(probe?.httpGet?.path).toBe(HEALTH_PATH);
      expect(r.containerPort(probe?.httpGet?.port ?? '')).toBe(port);
    }
    expect(r.containerPort('http')).toBe(port);
  });

  it('exposes the metrics port with Prometheus scrape annotations on the Service', () => {
    const metricsPort = settingOf('METRICS_PORT', plain);
    expect(r.containerPort('metrics')).toBe(metricsPort);
    const service = r.service;
    expect(service.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(metricsPort),
      'prometheus.io/path': '/metrics',
    });
    const ports = Object.fromEntries((service.spec?.ports ?? []).map((p) => [p.name, p]));
    expect(ports.metrics?.targetPort).toBe('metrics');
    expect(ports.http?.targetPort).toBe('http');
  });

  it('selects its own pods everywhere', () => {
    const labels = pod?.metadata?.labels ?? {};
    expect(labels).toMatchObject(r.deployment.spec?.selector.matchLabels ?? { missing: true });
    expect(labels).toMatchObject(r.service.spec?.selector ?? { missing: true });
    if (r.pdb) expect(labels).toMatchObject(r.pdb.spec?.selector?.matchLabels ?? { none: true });
  });

  it("runs as the image's non-root user on a read-only root, no capabilities, seccomp", () => {
    expect(pod?.spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: imageUid,
      runAsGroup: imageGid,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(r.container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod?.spec?.automountServiceAccountToken).toBe(false);
  });

  it('requests and limits CPU and memory', () => {
    for (const kind of ['requests', 'limits'] as const) {
      expect(Object.keys(r.container.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('gives SIGTERM longer than one Volcengine call may take', () => {
    const grace = pod?.spec?.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1000).toBeGreaterThan(settingOf('VOLC_DEADLINE_MS', plain) as number);
  });

  it('mounts the policy file from its ConfigMap, and the bot accepts it', () => {
    const file = String(settingOf('POLICY_FILE', plain));
    const at = r.volumeAt(file);
    expect(at?.mount.readOnly).toBe(true);
    const map = r.configMap(at?.volume.configMap?.name ?? '');
    const key = file.slice(at?.mount.mountPath.length).replace(/^\//, '');
    expect(parsePolicyText(map.data?.[key] ?? '', file).length).toBeGreaterThan(0);
  });

  it("runs package.json's version of the image", () => {
    expect(r.container.image?.split(':').at(-1)).toBe(packageJson().version);
  });
});

describe('base', () => {
  const r = render('base');

  it('rolls two replicas one at a time, never below two, and keeps one through disruptions', () => {
    expect(r.deployment.spec?.replicas).toBe(2);
    expect(r.deployment.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(r.pdb?.spec?.minAvailable).toBe(1);
  });
});

describe.each(OVERLAYS)('overlays/%s: the pod the overlay starts', (overlay) => {
  const r = render(`overlays/${overlay}`);
  const config = loadConfig(r.podEnv());
  const replicas = r.deployment.spec?.replicas ?? 1;

  it('has a valid configuration with only the Secret keys it requires', () => {
    expect(config.policy.approverIds.length).toBeGreaterThan(0);
  });

  it('stays within Slack’s 10 connections per app token in Socket Mode, rollouts included', () => {
    const strategy = r.deployment.spec?.strategy;
    // Kubernetes' default surge is 25 %, rounded up; Recreate has none.
    const surge = strategy?.type === 'Recreate' ? 0 : (strategy?.rollingUpdate?.maxSurge ?? '25%');
    const extra =
      typeof surge === 'number' ? surge : Math.ceil((replicas * Number.parseInt(surge, 10)) / 100);
    if (config.slack.socketMode) expect(replicas + extra).toBeLessThanOrEqual(10);
  });

  it('runs several replicas only on PostgreSQL, and lowdb on a writable volume', () => {
    if (config.storage.databaseUrl) {
      expect(replicas).toBeGreaterThanOrEqual(2);
      expect(r.deployment.spec?.strategy?.rollingUpdate).toEqual({
        maxUnavailable: 0,
        maxSurge: 1,
      });
      expect(r.pdb?.spec?.minAvailable).toBe(1);
      return;
    }
    // One process owns the file: one replica, stopped before the next starts, and no budget
    // that would block every drain.
    expect(replicas).toBe(1);
    expect(r.deployment.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(r.pdb).toBeUndefined();
    const at = r.volumeAt(dirname(config.storage.dataFile));
    expect(at?.mount.readOnly).toBeFalsy();
    expect(at?.volume.emptyDir ?? at?.volume.persistentVolumeClaim).toBeDefined();
  });
});

describe('overlays', () => {
  it('are a sandbox (Socket Mode, lowdb) and production (HTTP mode, PostgreSQL, live)', () => {
    expect(OVERLAYS).toEqual(['production', 'sandbox']);
    const sandbox = loadConfig(render('overlays/sandbox').podEnv());
    expect([sandbox.sandbox, sandbox.slack.socketMode, sandbox.storage.databaseUrl]).toEqual([
      true,
      true,
      undefined,
    ]);
    const production = loadConfig(render('overlays/production').podEnv());
    expect([production.sandbox, production.slack.socketMode]).toEqual([false, false]);
    expect(production.storage.databaseUrl).toBeDefined();
  });

  it("production's Ingress sends Slack's URL path, and only it, to the HTTP port", () => {
    const r = render('overlays/production');
    const manifest = parse(readRepoFile('manifest.yml'));
    const slackPath = new URL(manifest.settings.interactivity.request_url).pathname;
    const paths = r.ingress?.spec?.rules?.flatMap((rule) => rule.http?.paths ?? []) ?? [];
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([[slackPath, 'Exact']]);
    const backend = paths[0]?.backend.service;
    expect(backend?.name).toBe(r.service.metadata?.name);
    const servicePort = r.service.spec?.ports?.find((p) => p.name === backend?.port?.name);
    expect(r.containerPort(servicePort?.targetPort ?? '')).toBe(settingOf('PORT', r.plainEnv()));
    expect(r.ingress?.spec?.tls?.length).toBeGreaterThan(0);
  });
});
