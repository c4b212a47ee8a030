import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import {
  CREDENTIAL_PATTERNS,
  compose,
  interpolate,
  interpolatedNames,
  isSecretVariable,
  PLACEHOLDER_SECRETS,
  readRepoFile,
  settingOf,
  unknownVariables,
} from '../support/deploy-files.js';
import { all, last, readDockerfile, stage } from '../support/dockerfile.js';

// compose.yaml: PostgreSQL 15 and two replicas of the bot in Socket Mode on it, secrets from the
// uncommitted .env. Docker Compose is not installed here, so the file is read as compose reads
// it (YAML plus ${…} interpolation) and checked against the configuration schema.

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  env_file?: string;
  healthcheck?: { test: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
}

const file = compose() as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { postgres, bot } = file.services as { postgres: Service; bot: Service };
const text = readRepoFile('compose.yaml');

// What .env would hold: the values compose interpolates, and the secrets the bot reads from it.
const DOT_ENV = { SLACK_APP_TOKEN: 'xapp-placeholder', POSTGRES_PASSWORD: 'placeholder' };
const botEnvironment = (values: Record<string, string> = DOT_ENV) =>
  Object.fromEntries(
    Object.entries(bot.environment ?? {}).map(([name, value]) => [
      name,
      interpolate(String(value), values),
    ]),
  );

describe('compose.yaml', () => {
  it('runs PostgreSQL 15 and the bot', () => {
    expect(Object.keys(file.services).sort()).toEqual(['bot', 'postgres']);
    expect(postgres.image).toMatch(/^postgres:15(-|$)/);
  });

  it('keeps the database on a named volume and checks it is ready with pg_isready', () => {
    const env = postgres.environment ?? {};
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(Object.keys(file.volumes)).toEqual(['postgres-data']);
    expect(postgres.healthcheck?.test).toEqual([
      'CMD-SHELL',
      `pg_isready --username=${env.POSTGRES_USER} --dbname=${env.POSTGRES_DB}`,
    ]);
  });

  it('takes the database password from .env, required', () => {
    const missing: string[] = [];
    interpolate(String(postgres.environment?.POSTGRES_PASSWORD), {}, missing);
    expect(missing).toEqual(['POSTGRES_PASSWORD']);
  });

  it('starts two replicas of the image built here, once the database is healthy', () => {
    expect(bot.build).toBe('.');
    expect(bot.deploy?.replicas).toBe(2);
    expect(bot.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // The image's HEALTHCHECK applies: compose neither replaces nor disables it.
    expect(bot.healthcheck).toBeUndefined();
    expect(all(stage(readDockerfile(), 'runtime'), 'HEALTHCHECK')).toHaveLength(1);
  });

  it('reads the secrets from .env, which git and the image build both leave out', () => {
    expect(bot.env_file).toBe('.env');
    expect(readRepoFile('.gitignore').split('\n')).toContain('.env');
    expect(readRepoFile('.dockerignore').split('\n')).toContain('.env');
  });

  it('sets only variables the bot reads', () => {
    expect(unknownVariables(Object.keys(bot.environment ?? {}))).toEqual([]);
  });

  it('holds no secret value: secrets are interpolated from .env, never written here', () => {
    for (const pattern of CREDENTIAL_PATTERNS) expect(text).not.toMatch(pattern);
    for (const [name, value] of Object.entries(bot.environment ?? {})) {
      if (!isSecretVariable(name)) continue;
      const withoutSecrets = interpolate(String(value), {});
      // What is left once .env's values are taken out must not be a secret on its own.
      expect(interpolatedNames(String(value)).length, name).toBeGreaterThan(0);
      expect(withoutSecrets, name).not.toMatch(/:[^/@:]+@/);
    }
  });

  it('needs SLACK_APP_TOKEN (Socket Mode) and points the bot at the compose database', () => {
    const missing: string[] = [];
    interpolate(String(bot.environment?.SLACK_APP_TOKEN), {}, missing);
    expect(missing).toEqual(['SLACK_APP_TOKEN']);

    const config = loadConfig({
      SLACK_BOT_TOKEN: PLACEHOLDER_SECRETS.SLACK_BOT_TOKEN,
      APPROVER_USER_IDS: 'U0123456789',
      VOLC_SANDBOX: 'true',
      ...botEnvironment(),
    });
    expect(config.slack.socketMode).toBe(true);
    const url = new URL(config.storage.databaseUrl ?? '');
    const db = postgres.environment ?? {};
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(db.POSTGRES_USER);
    expect(url.password).toBe(DOT_ENV.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${db.POSTGRES_DB}`);
  });

  it("publishes each replica's metrics port on loopback, and listens where the image expects", () => {
    const env = botEnvironment();
    const metricsPort = settingOf('METRICS_PORT', env);
    expect(bot.ports).toHaveLength(1);
    const [, host, from, to, target] =
      /^(127\.0\.0\.1):(\d+)-(\d+):(\d+)$/.exec(bot.ports?.[0] ?? '') ?? [];
    expect(host).toBe('127.0.0.1');
    expect(Number(to) - Number(from) + 1).toBe(bot.deploy?.replicas);
    expect(Number(target)).toBe(metricsPort);
    // Reachable from the host and from the image's HEALTHCHECK (127.0.0.1:PORT).
    expect(settingOf('METRICS_HOST', env)).toBe('0.0.0.0');
    expect(settingOf('HOST', env)).toBe('0.0.0.0');
    const exposed = last(stage(readDockerfile(), 'runtime'), 'EXPOSE').args.split(/\s+/);
    expect(exposed.map(Number)).toEqual(
      expect.arrayContaining([settingOf('PORT', env), metricsPort]),
    );
  });

  it('runs the bot read-only, without capabilities, and gives SIGTERM time to finish a call', () => {
    expect(bot.read_only).toBe(true);
    expect(bot.cap_drop).toEqual(['ALL']);
    expect(bot.security_opt).toEqual(['no-new-privileges:true']);
    const grace = /^(\d+)s$/.exec(bot.stop_grace_period ?? '')?.[1];
    expect(Number(grace) * 1000).toBeGreaterThan(
      settingOf('VOLC_DEADLINE_MS', botEnvironment()) as number,
    );
  });
});
