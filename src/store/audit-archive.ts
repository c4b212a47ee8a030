import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { MutationRequest } from '../domain/request.js';
import { codeOf } from './store-error.js';

// The lowdb trail's keyed archive (issue 18): every snapshot the audit trail records when
// retention archives a request is also written to a file of its own, named by a hash of the
// request id. `/attach-key status` of an archived (or unknown) id then opens at most one small
// file, instead of streaming the whole trail: its cost no longer grows with the trail. The trail
// stays the record; this is a lookup that can be rebuilt from it (and is, once, from a trail an
// earlier version wrote).

/** `audit.archive/` beside `audit.jsonl` (AUDIT_FILE without its extension, plus `.archive`). */
export function defaultArchiveDir(auditFile: string): string {
  const ext = extname(auditFile);
  return join(dirname(auditFile), `${basename(auditFile, ext)}.archive`);
}

/** Written once every snapshot already in the trail has its file. */
const COMPLETE = '.complete';

export interface AuditArchive {
  /** Keeps this snapshot under its id (a later one replaces it); durable once resolved. */
  put(request: MutationRequest): Promise<void>;
  get(requestId: string): Promise<MutationRequest | undefined>;
}

export async function openAuditArchive(
  dir: string,
  earlier: () => AsyncIterable<MutationRequest>,
): Promise<AuditArchive> {
  let writes = 0;
  const pathOf = (requestId: string) => {
    const hash = createHash('sha256').update(requestId).digest('hex');
    return join(dir, hash.slice(0, 2), `${hash.slice(2, 42)}.json`);
  };

  async function put(request: MutationRequest): Promise<void> {
    const path = pathOf(request.id);
    const temp = `${path}.${process.pid}.${++writes}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, JSON.stringify(request));
      await rename(temp, path);
    } catch (cause) {
      await rm(temp, { force: true }).catch(() => {});
      throw Object.assign(
        new Error(`Could not write the archive of ${request.id} in ${dir} (${codeOf(cause)}).`, {
          cause,
        }),
        { code: 'audit_write_failed' },
      );
    }
  }

  async function get(requestId: string): Promise<MutationRequest | undefined> {
    const text = await readFile(pathOf(requestId), 'utf8').catch((error: unknown) => {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const value = JSON.parse(text) as MutationRequest;
    return value?.id === requestId ? value : undefined;
  }

  const complete = join(dir, COMPLETE);
  const done = await readFile(complete).then(
    () => true,
    () => false,
  );
  if (!done) {
    // A trail from before this archive existed: file its snapshots once, in order (the last wins).
    for await (const request of earlier()) await put(request);
    await mkdir(dir, { recursive: true });
    await writeFile(complete, `${new Date().toISOString()}\n`);
  }
  return { put, get };
}
