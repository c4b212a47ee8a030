import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AttachRequest, decide } from '../../src/domain/request.js';
import { openRequestStore } from '../../src/store/lowdb-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attach-key-store-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

function makeRequest(id: string, overrides: Partial<AttachRequest> = {}): AttachRequest {
  return {
    id,
    status: 'pending',
    requesterId: 'U0REQUESTER',
    channelId: 'C0CHANNEL',
    instanceIds: ['i-aaa', 'i-bbb'],
    keyPairName: 'ops-key',
    region: 'cn-beijing',
    createdAt: '2025-01-01T00:00:00.000Z',
    expiresAt: '2025-01-01T01:00:00.000Z',
    batches: [],
    ...overrides,
  };
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('openRequestStore', () => {
  it('creates a missing directory, starts empty and writes compact versioned JSON', async () => {
    const file = join(dir, 'nested', 'deeper', 'db.json');
    const store = await openRequestStore({ dataFile: file });
    expect(store.recent(10)).toEqual([]);
    expect(await store.ping()).toBe(true);

    await store.insert(makeRequest('r1'));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('\n');
    expect(text).not.toContain('  ');
    expect(JSON.parse(text)).toEqual({ version: 1, requests: { r1: makeRequest('r1') } });
    expect(store.stats()).toEqual({ requests: 1, fileBytes: Buffer.byteLength(text), writes: 1 });
  });

  it('survives a restart: a second store on the same file sees every change', async () => {
    const file = join(dir, 'db.json');
    const first = await openRequestStore({ dataFile: file });
    await first.insert(makeRequest('r1'));
    await first.insert(makeRequest('r2', { createdAt: '2025-01-02T00:00:00.000Z' }));
    await first.update('r1', (c) => ({ ok: true, request: { ...c, status: 'rejected' } }));
    await first.remove('r2');
    await first.close();

    const second = await openRequestStore({ dataFile: file });
    expect(second.get('r1')).toEqual(makeRequest('r1', { status: 'rejected' }));
    expect(second.get('r2')).toBeUndefined();
    expect(second.stats().requests).toBe(1);
    expect(second.stats().fileBytes).toBe((await readFile(file)).length);
  });

  it('refuses a duplicate id on insert and leaves the first one', async () => {
    const store = await openRequestStore({ dataFile: join(dir, 'db.json') });
    await store.insert(makeRequest('r1'));
    await expect(store.insert(makeRequest('r1', { region: 'cn-shanghai' }))).rejects.toMatchObject({
      code: 'duplicate_request',
    });
    expect(store.get('r1')?.region).toBe('cn-beijing');
  });

  it('hands out frozen copies, so a change outside update fails loudly', async () => {
    const store = await openRequestStore({ dataFile: join(dir, 'db.json') });
    const draft = makeRequest('r1');
    await store.insert(draft);
    draft.region = 'changed-after-insert';
    const stored = store.get('r1') as AttachRequest;
    expect(stored.region).toBe('cn-beijing');
    expect(() => {
      stored.status = 'approved';
    }).toThrow(TypeError);
    expect(() => stored.instanceIds.push('i-ccc')).toThrow(TypeError);
  });
});

describe('update', () => {
  it('applies an accepted change and writes it before resolving', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    await store.insert(makeRequest('r1'));
    const result = await store.update('r1', (c) => ({
      ok: true,
      request: { ...c, status: 'approved' },
    }));
    expect(result).toEqual({ ok: true, request: makeRequest('r1', { status: 'approved' }) });
    expect((await readJson(file)).requests.r1.status).toBe('approved');
  });

  it('leaves the stored value untouched and writes nothing on a refusal', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    await store.insert(makeRequest('r1'));
    const before = store.get('r1');
    const bytes = await readFile(file);
    const writes = store.stats().writes;

    const result = await store.update('r1', (c) =>
      c.status === 'approved'
        ? { ok: true, request: c }
        : { ok: false, refusal: { reason: 'not_approved', saw: c.status } },
    );
    expect(result).toEqual({ ok: false, refusal: { reason: 'not_approved', saw: 'pending' } });
    expect(store.get('r1')).toBe(before);
    expect(store.stats().writes).toBe(writes);
    expect(await readFile(file)).toEqual(bytes);
  });

  it('answers unknown_request for an id it does not hold, without calling change', async () => {
    const store = await openRequestStore({ dataFile: join(dir, 'db.json') });
    let called = false;
    const result = await store.update('nope', (c) => {
      called = true;
      return { ok: true, request: c };
    });
    expect(result).toEqual({ ok: false, refusal: { reason: 'unknown_request' } });
    expect(called).toBe(false);
    expect(store.stats().writes).toBe(0);
  });

  it('refuses a change that alters the id', async () => {
    const store = await openRequestStore({ dataFile: join(dir, 'db.json') });
    await store.insert(makeRequest('r1'));
    await expect(
      store.update('r1', (c) => ({ ok: true, request: { ...c, id: 'r2' } })),
    ).rejects.toMatchObject({ code: 'request_id_changed' });
    expect(store.get('r2')).toBeUndefined();
  });

  it('lets exactly one of 20 concurrent approvals win; the rest see the winner', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    await store.insert(makeRequest('r1'));
    const approvers = Array.from({ length: 20 }, (_, i) => `U0APPROVER${i}`);
    const policy = { approverIds: new Set(approvers), allowSelfApproval: false };
    const now = new Date('2025-01-01T00:10:00.000Z');
    const seen: string[] = [];

    const results = await Promise.all(
      approvers.map((userId) =>
        store.update('r1', (current) => {
          seen.push(`${current.status}:${current.decision?.by ?? '-'}`);
          return decide(current, { kind: 'approve', userId, now, policy });
        }),
      ),
    );

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results[0]?.ok).toBe(true);
    expect(seen[0]).toBe('pending:-');
    expect(seen.slice(1)).toEqual(Array(19).fill('approved:U0APPROVER0'));
    for (const loser of results.slice(1)) {
      expect(loser).toMatchObject({ ok: false, refusal: { reason: 'already_decided' } });
    }
    const onDisk = (await readJson(file)).requests.r1;
    expect(onDisk.status).toBe('approved');
    expect(onDisk.decision).toEqual({ kind: 'approved', by: 'U0APPROVER0', at: now.toISOString() });
  });

  it('coalesces concurrent writes and resolves each update only once its change is on disk', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    await store.insert(makeRequest('r1', { instanceIds: [] }));
    const writesBefore = store.stats().writes;

    const onDiskAtResolve: boolean[] = [];
    const updates = Array.from({ length: 20 }, (_, i) =>
      store
        .update('r1', (c) => ({
          ok: true,
          request: { ...c, instanceIds: [...c.instanceIds, `i-${i}`] },
        }))
        .then(() => {
          const stored = JSON.parse(readFileSync(file, 'utf8')).requests.r1;
          onDiskAtResolve[i] = stored.instanceIds.includes(`i-${i}`);
        }),
    );
    // More updates while the first write is in flight join the next one.
    await Promise.resolve();
    const late = store.update('r1', (c) => ({
      ok: true,
      request: { ...c, instanceIds: [...c.instanceIds, 'i-late'] },
    }));
    await Promise.all([...updates, late]);

    expect(onDiskAtResolve).toEqual(Array(20).fill(true));
    expect(store.stats().writes - writesBefore).toBeLessThanOrEqual(2);
    const final = (await readJson(file)).requests.r1.instanceIds;
    expect(final).toEqual([...Array.from({ length: 20 }, (_, i) => `i-${i}`), 'i-late']);
  });

  it('always leaves valid JSON and no temp file behind', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    const inserts = Array.from({ length: 30 }, (_, i) => store.insert(makeRequest(`r${i}`)));
    const reads: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      // Readers racing the writer only ever see a whole file (rename replaces it atomically).
      reads.push(
        readFile(file, 'utf8').then(
          (text) => void JSON.parse(text),
          (error: NodeJS.ErrnoException) => expect(error.code).toBe('ENOENT'),
        ),
      );
      await Promise.resolve();
    }
    await Promise.all([...inserts, ...reads]);
    await store.flush();
    expect(await readdir(dir)).toEqual(['db.json']);
    expect(Object.keys((await readJson(file)).requests)).toHaveLength(30);
  });
});

describe('refusing to open a bad file', () => {
  it('refuses invalid JSON, names the file and line, and never overwrites it', async () => {
    const file = join(dir, 'db.json');
    const text = '{"version":1,\n"requests":{\n"r1": }\n}\n';
    await writeFile(file, text);
    const error = await openRequestStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('line 3, column 7');
    expect(message).toContain('will not overwrite');
    expect(message).toContain('move it aside');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it.each([
    ['a truncated file', '{"version":1,"requests":{"r1":{"id"', 'looks truncated'],
    ['an empty file', '', 'is empty'],
    ['JSON null', 'null', 'expected an object'],
    ['a list', '[]', 'expected an object'],
    ['an unknown version', '{"version":0,"requests":{}}', '"version" is 0'],
    ['a newer version', '{"version":2,"requests":{}}', 'newer version'],
    ['requests as a list', '{"version":1,"requests":[]}', '"requests" is not an object'],
    [
      'a request under the wrong key',
      JSON.stringify({ version: 1, requests: { r2: makeRequest('r1') } }),
      'requests["r2"].id does not match',
    ],
    [
      'an unknown status',
      JSON.stringify({ version: 1, requests: { r1: { ...makeRequest('r1'), status: 'weird' } } }),
      'requests["r1"].status is "weird"',
    ],
  ])('refuses %s without touching it', async (_what, text, expected) => {
    const file = join(dir, 'db.json');
    await writeFile(file, text);
    const error = await openRequestStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_corrupt' });
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('explains a DATA_FILE that points at a directory', async () => {
    const file = join(dir, 'db.json');
    await mkdir(file);
    const error = await openRequestStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(`${file}: it is a directory`);
  });

  it('explains a DATA_FILE under a path that is a file', async () => {
    await writeFile(join(dir, 'plain'), 'x');
    const error = await openRequestStore({ dataFile: join(dir, 'plain', 'db.json') }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain(join(dir, 'plain'));
  });

  it.skipIf(process.getuid?.() === 0)('explains a file it may not read', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, '{"version":1,"requests":{}}');
    await chmod(file, 0o000);
    const error = await openRequestStore({ dataFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unreadable' });
    expect((error as Error).message).toContain('permission denied');
  });
});

describe('reads', () => {
  it('lists by status oldest first and recent newest first', async () => {
    const store = await openRequestStore({ dataFile: join(dir, 'db.json') });
    await store.insert(makeRequest('b', { createdAt: '2025-01-03T00:00:00.000Z' }));
    await store.insert(makeRequest('a', { createdAt: '2025-01-01T00:00:00.000Z' }));
    await store.insert(
      makeRequest('c', { createdAt: '2025-01-02T00:00:00.000Z', status: 'executing' }),
    );
    await store.insert(makeRequest('d', { createdAt: '2025-01-04T00:00:00.000Z', status: 'done' }));

    expect(store.listByStatus(['pending']).map((r) => r.id)).toEqual(['a', 'b']);
    expect(store.listByStatus(['pending', 'executing']).map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(store.listByStatus([])).toEqual([]);
    expect(store.recent(3).map((r) => r.id)).toEqual(['d', 'b', 'c']);
    expect(store.recent(0)).toEqual([]);
  });

  it('treats ids as data, even __proto__', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    expect(store.get('toString')).toBeUndefined();
    await store.insert(makeRequest('__proto__'));
    await store.close();
    const reopened = await openRequestStore({ dataFile: file });
    expect(reopened.get('__proto__')?.id).toBe('__proto__');
    expect(reopened.recent(5).map((r) => r.id)).toEqual(['__proto__']);
  });
});

describe('archiveFinished', () => {
  const cutoff = new Date('2025-02-01T00:00:00.000Z');
  const old = '2025-01-10T00:00:00.000Z';
  const fresh = '2025-02-10T00:00:00.000Z';

  async function seed() {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    const decision = (at: string) => ({ kind: 'rejected' as const, by: 'U0APPROVER', at });
    await Promise.all([
      store.insert(makeRequest('done-old', { status: 'done', finishedAt: old })),
      store.insert(makeRequest('done-fresh', { status: 'done', finishedAt: fresh })),
      store.insert(makeRequest('failed-old', { status: 'failed', finishedAt: old })),
      store.insert(makeRequest('rejected-old', { status: 'rejected', decision: decision(old) })),
      store.insert(
        makeRequest('rejected-fresh', {
          status: 'rejected',
          decision: decision(fresh),
          createdAt: old,
        }),
      ),
      store.insert(makeRequest('expired-old', { status: 'expired', createdAt: old })),
      store.insert(makeRequest('pending-old', { createdAt: old })),
      store.insert(makeRequest('executing-old', { status: 'executing', createdAt: old })),
    ]);
    return { file, store };
  }

  it('removes only old finished requests, after recording them', async () => {
    const { file, store } = await seed();
    const recorded: string[] = [];
    const removed = await store.archiveFinished(cutoff, async (requests) => {
      // Recorded before removal: still live while the audit log takes them.
      for (const r of requests) expect(store.get(r.id)).toBeDefined();
      recorded.push(...requests.map((r) => r.id));
    });
    const expected = ['done-old', 'expired-old', 'failed-old', 'rejected-old'];
    expect(removed.map((r) => r.id).sort()).toEqual(expected);
    expect(recorded.sort()).toEqual(expected);
    expect(Object.keys((await readJson(file)).requests).sort()).toEqual([
      'done-fresh',
      'executing-old',
      'pending-old',
      'rejected-fresh',
    ]);
  });

  it('removes nothing when recording fails', async () => {
    const { file, store } = await seed();
    await expect(
      store.archiveFinished(cutoff, async () => {
        throw new Error('audit log is full');
      }),
    ).rejects.toThrow('audit log is full');
    expect(store.stats().requests).toBe(8);
    expect(Object.keys((await readJson(file)).requests)).toHaveLength(8);
  });

  it('keeps a request that changed while it was being recorded', async () => {
    const { store } = await seed();
    const removed = await store.archiveFinished(cutoff, async () => {
      await store.update('done-old', (c) => ({
        ok: true,
        request: { ...c, resultsPostedAt: fresh },
      }));
    });
    expect(removed.map((r) => r.id)).not.toContain('done-old');
    expect(store.get('done-old')?.resultsPostedAt).toBe(fresh);
    expect(removed).toHaveLength(3);
  });
});

describe('health', () => {
  it('reports unhealthy after a failed write and recovers on flush', async () => {
    const file = join(dir, 'db.json');
    const store = await openRequestStore({ dataFile: file });
    await store.insert(makeRequest('r1'));
    // Occupy the temp name with a non-empty directory so steno's write to it fails.
    await mkdir(join(dir, '.db.json.tmp', 'x'), { recursive: true });
    await expect(
      store.update('r1', (c) => ({ ok: true, request: { ...c, status: 'rejected' } })),
    ).rejects.toMatchObject({ code: 'store_write_failed' });
    expect(await store.ping()).toBe(false);
    expect((await readJson(file)).requests.r1.status).toBe('pending');

    await rm(join(dir, '.db.json.tmp'), { recursive: true });
    await store.flush();
    expect(await store.ping()).toBe(true);
    expect((await readJson(file)).requests.r1.status).toBe('rejected');
  });
});
