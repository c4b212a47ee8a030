import { execFile } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, readRepoFile } from './deploy-files.js';

// What the image's final stage holds, rebuilt in a temp directory outside the repo (so Node can
// find no other node_modules): package.json, dist/ from `npm run build`, and the production
// dependencies. Those are what `npm ci --omit=dev` installs: the lockfile's entries not marked
// dev. They are copied, entry by entry, from the repo's node_modules, which `npm ci` filled from
// the same lockfile; installing them again would take the registry and a minute for the same
// files. The tree is then made read-only, but for data/, which belongs to the image's user as the
// Dockerfile's `mkdir -p /app/data && chown` makes it.

const run = promisify(execFile);

export interface ProductionLayout {
  /** The image's WORKDIR: package.json, dist/, node_modules/, data/. */
  app: string;
  /** The one writable directory. */
  data: string;
  /** The production packages copied (lockfile paths). */
  packages: string[];
  remove(): Promise<void>;
}

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
}

export async function buildProductionLayout(
  user: { uid: number; gid: number } | undefined,
): Promise<ProductionLayout> {
  const root = await mkdtemp(join(tmpdir(), 'attach-key-bot-image-'));
  // mkdtemp makes it 0700: the image's user must be able to reach the tree inside.
  await chmod(root, 0o755);
  const app = join(root, 'app');
  const data = join(app, 'data');
  const remove = async () => {
    await run('chmod', ['-R', 'u+w', root]);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await mkdir(app);
    await run('npm', ['run', 'build', '--silent', '--', '--outDir', join(app, 'dist')], {
      cwd: REPO,
    });
    await cp(join(REPO, 'package.json'), join(app, 'package.json'));
    const packages = await copyProductionPackages(app);
    await mkdir(data);
    await run('chmod', ['-R', 'a-w', app]);
    await chmod(data, 0o700);
    if (user) await chown(data, user.uid, user.gid);
    return { app, data, packages, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function copyProductionPackages(app: string): Promise<string[]> {
  const lock = JSON.parse(readRepoFile('package-lock.json')) as {
    packages: Record<string, LockEntry>;
  };
  const copied: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const source = join(REPO, path);
    const present = await stat(source).then(
      () => true,
      () => false,
    );
    if (!present) {
      // An optional package npm skipped on this platform, as `npm ci` in the image would.
      if (entry.optional) continue;
      throw new Error(`${path} is in the lockfile but not installed: run npm ci`);
    }
    // Each lockfile entry on its own: its nested node_modules are entries of their own.
    const nested = join(source, 'node_modules');
    await cp(source, join(app, path), {
      recursive: true,
      filter: (from) => from !== nested,
    });
    copied.push(path);
  }
  return copied;
}
