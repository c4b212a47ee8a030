import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config.js';
import {
  packageJson,
  REPO,
  readRepoFile,
  SCHEMA_VARIABLES,
  settingOf,
  unknownVariables,
} from '../support/deploy-files.js';
import {
  all,
  execForm,
  healthcheck,
  last,
  pairs,
  readDockerfile,
  stage,
} from '../support/dockerfile.js';

// The Dockerfile against the facts it must agree with: the configuration's ports and paths,
// package.json, the build's layout and the .dockerignore. The image itself cannot be built here
// (no Docker engine, no registry); test/integration/production-layout.test.ts starts what its
// final stage holds.

const file = readDockerfile();
const build = stage(file, 'build');
const deps = stage(file, 'production-dependencies');
const runtime = stage(file, 'runtime');
const runs = (s: typeof build) =>
  all(s, 'RUN')
    .map((i) => i.args)
    .join('\n');
const workdir = last(runtime, 'WORKDIR').args;
const [uid, gid] = last(runtime, 'USER').args.split(':');
const entrypoint = execForm(last(runtime, 'ENTRYPOINT').args);
const cmd = execForm(last(runtime, 'CMD').args);
const check = healthcheck(last(runtime, 'HEALTHCHECK').args);

// The smallest valid environments, to learn where the bot puts its data by default.
const MINIMAL = {
  SLACK_BOT_TOKEN: 'xoxb-placeholder',
  SLACK_APP_TOKEN: 'xapp-placeholder',
  APPROVER_USER_IDS: 'U0123456789',
};
const LIVE = { ...MINIMAL, VOLC_ACCESS_KEY_ID: 'id', VOLC_SECRET_ACCESS_KEY: 'secret' };

describe('the schema the deploy files are checked against', () => {
  it("holds every concern's variables (a new config module must be added to deploy-files.ts)", () => {
    expect([...SCHEMA_VARIABLES].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('Dockerfile stages', () => {
  it('builds in three stages on one base image pinned by digest', () => {
    expect(file.stages.map((s) => s.name)).toEqual(['build', 'production-dependencies', 'runtime']);
    const bases = new Set(file.stages.map((s) => s.from));
    expect(bases.size).toBe(1);
    expect([...bases][0]).toMatch(/^node:20-bookworm-slim@sha256:[0-9a-f]{64}$/);
  });

  it('compiles with the dev dependencies, and installs the production ones without them', () => {
    expect(runs(build)).toMatch(/^npm ci\b(?!.*--omit)/m);
    expect(runs(build)).toMatch(/^npm run build$/m);
    expect(runs(deps)).toMatch(/^npm ci --omit=dev\b/m);
  });

  it('copies into the final stage only package.json, the production node_modules and dist/', () => {
    const copies = all(runtime, 'COPY').map((i) => i.args);
    expect(copies.sort()).toEqual(
      [
        'package.json ./',
        '--from=production-dependencies /app/node_modules ./node_modules',
        '--from=build /app/dist ./dist',
      ].sort(),
    );
    // dist/ is what tsconfig.build.json writes (rootDir src), so src/main.ts is dist/main.js.
    const tsconfig = JSON.parse(readRepoFile('tsconfig.build.json'));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(packageJson()).toMatchObject({ type: 'module' });
  });

  it('copies from the context only files that exist and .dockerignore lets through', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const name of ['.env', 'data/', 'node_modules/', 'dist/', '.git/']) {
      expect(ignored).toContain(name);
    }
    const sources = file.stages
      .flatMap((s) => all(s, 'COPY'))
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(`${REPO}${source}`), source).toBe(true);
      expect(
        ignored.some((rule) => source === rule.replace(/\/$/, '')),
        source,
      ).toBe(false);
    }
  });
});

describe('Dockerfile runtime', () => {
  it('runs as a numeric non-root user that owns only the data volume', () => {
    expect(uid).toMatch(/^[1-9]\d*$/);
    expect(gid).toMatch(/^[1-9]\d*$/);
    const volumes = all(runtime, 'VOLUME').flatMap((i) => execForm(i.args));
    // Where the bot writes by default (sandbox or live): inside the volume the image prepares.
    for (const env of [{ ...MINIMAL, VOLC_SANDBOX: 'true' }, LIVE]) {
      const dataFile = loadConfig(env).storage.dataFile;
      const dataDir = dirname(posix.resolve(workdir, dataFile));
      expect(volumes).toContain(dataDir);
      expect(runs(runtime)).toContain(`mkdir -p ${dataDir}`);
      expect(runs(runtime)).toContain(`chown ${uid}:${gid} ${dataDir}`);
    }
  });

  it('starts node dist/main.js under tini, never npm', () => {
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(runs(runtime)).toMatch(/apt-get install -y --no-install-recommends tini\b/);
    expect(cmd).toEqual(['node', 'dist/main.js']);
    expect(existsSync(`${REPO}src/main.ts`)).toBe(true);
    for (const command of [entrypoint, cmd, check.command]) expect(command).not.toContain('npm');
  });

  it('exposes the Slack port and the metrics port of the configuration', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual([settingOf('PORT'), settingOf('METRICS_PORT')].sort());
  });

  it('sets no variable the bot does not read', () => {
    const names = file.stages
      .flatMap((s) => all(s, 'ENV'))
      .flatMap((i) => Object.keys(pairs(i.args)));
    expect(unknownVariables(names)).toEqual([]);
  });

  it('labels source, version and licence, the version and licence from package.json', () => {
    const args = Object.assign({}, ...all(runtime, 'ARG').map((i) => pairs(i.args)));
    const labels = pairs(last(runtime, 'LABEL').args);
    // Each label is the build argument of its name: `${SOURCE}` and so on.
    const argument = (name: string) => '$'.concat('{', name, '}');
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': argument('SOURCE'),
      'org.opencontainers.image.version': argument('VERSION'),
      'org.opencontainers.image.licenses': argument('LICENSES'),
      'org.opencontainers.image.revision': argument('REVISION'),
    });
    expect(args.VERSION).toBe(packageJson().version);
    expect(args.LICENSES).toBe(packageJson().license ?? 'NOASSERTION');
  });
});

describe('Dockerfile HEALTHCHECK', () => {
  const [program, flag, script] = check.command;

  it('is node itself (no curl or wget in the image), with a timeout under its own', () => {
    expect([program, flag]).toEqual(['node', '-e']);
    expect(file.stages.map(runs).join('\n')).not.toMatch(/\b(curl|wget)\b/);
    expect(check.options).toMatchObject({ interval: '30s', timeout: '5s', retries: '3' });
    expect(script).toMatch(/AbortSignal\.timeout\((\d+)\)/);
    const inner = Number(/AbortSignal\.timeout\((\d+)\)/.exec(script ?? '')?.[1]);
    expect(inner).toBeLessThan(Number.parseInt(check.options.timeout ?? '', 10) * 1000);
  });

  it('falls back to the default PORT of the configuration', () => {
    expect(script).toContain(`process.env.PORT||${settingOf('PORT')}`);
  });

  it.each([
    [200, 0],
    [503, 1],
  ])('asks GET /healthz on PORT: %i exits %i', async (status, code) => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(status).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      expect(await exitCodeOf(script ?? '', { PORT: String(port) })).toBe(code);
    } finally {
      server.close();
    }
    expect(paths).toEqual(['GET /healthz']);
  });
});

/** Runs a `node -e` script and resolves with its exit code (async: the server must answer). */
function exitCodeOf(script: string, env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
}
