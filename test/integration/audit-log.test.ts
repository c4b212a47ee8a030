import { appendFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import type { AuditEvent } from '../../src/service/ports.js';
import { defaultAuditFile, openAuditLog } from '../../src/store/audit-log.js';
import { makeRequest } from '../support/store-fixtures.js';

/** The event the service appends when retention moves a request out of the live store. */
function toArchivedEvent(request: MutationRequest, at: Date): AuditEvent {
  return { type: 'archived', requestId: request.id, at: at.toISOString(), request };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attach-key-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function event(requestId: string, type: AuditEvent['type'], extra: object = {}): AuditEvent {
  return { type, requestId, at: '2025-01-01T00:00:00.000Z', ...extra };
}

const request = (id: string, status: MutationRequest['status']) => makeRequest(id, { status });

const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n');

describe('openAuditLog', () => {
  it('creates the file and its directory, and reads back one request oldest first', async () => {
    const file = join(dir, 'logs', 'audit.jsonl');
    const log = await openAuditLog({ file });
    await log.append(event('r1', 'requested', { actor: 'U0REQUESTER' }));
    await log.append(event('r2', 'requested'));
    await log.append(event('r1', 'approved', { actor: 'U0APPROVER', note: 'line\nbreak' }));

    expect(await linesOf(file)).toHaveLength(4); // three lines and the final newline
    expect(await log.eventsFor('r1')).toEqual([
      event('r1', 'requested', { actor: 'U0REQUESTER' }),
      event('r1', 'approved', { actor: 'U0APPROVER', note: 'line\nbreak' }),
    ]);
    expect(await log.eventsFor('r')).toEqual([]);
    await log.close();
  });

  it('writes 100 concurrent appends as 100 whole lines, each resolved once written', async () => {
    const file = join(dir, 'audit.jsonl');
    const log = await openAuditLog({ file });
    const padding = 'x'.repeat(2000);
    const written: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        log.append(event(`r${i % 7}`, 'step_done', { index: i, padding })).then(async () => {
          written[i] = (await readFile(file, 'utf8')).includes(`"index":${i},`);
        }),
      ),
    );
    expect(written).toEqual(Array(100).fill(true));
    const lines = (await linesOf(file)).filter(Boolean);
    expect(lines).toHaveLength(100);
    const indexes = lines.map((line) => (JSON.parse(line) as { index: number }).index);
    expect(indexes).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect((await log.eventsFor('r3')).map((e) => e.index)).toEqual([
      3, 10, 17, 24, 31, 38, 45, 52, 59, 66, 73, 80, 87, 94,
    ]);
    await log.close();
  });

  it('survives a reopen and only ever grows', async () => {
    const file = join(dir, 'audit.jsonl');
    const first = await openAuditLog({ file });
    await first.append(event('r1', 'requested'));
    await first.close();
    const sizeAfterFirst = (await stat(file)).size;

    const second = await openAuditLog({ file, durable: true });
    expect((await stat(file)).size).toBe(sizeAfterFirst);
    await second.append(event('r1', 'rejected', { actor: 'U0APPROVER' }));
    expect((await stat(file)).size).toBeGreaterThan(sizeAfterFirst);
    expect((await second.eventsFor('r1')).map((e) => e.type)).toEqual(['requested', 'rejected']);
    await second.close();
    await expect(second.append(event('r1', 'expired'))).rejects.toMatchObject({
      code: 'audit_closed',
    });
  });

  it('skips a torn last line and starts the next event on a fresh line', async () => {
    const file = join(dir, 'audit.jsonl');
    const first = await openAuditLog({ file });
    await first.append(event('r1', 'requested'));
    await first.close();
    // A crash in the middle of writing the next line.
    await appendFile(file, '{"type":"approved","requestId":"r1","at":"2025-');
    const sizeWithTorn = (await stat(file)).size;

    const second = await openAuditLog({ file });
    await second.append(event('r1', 'rejected'));
    expect((await stat(file)).size).toBeGreaterThan(sizeWithTorn);
    expect((await second.eventsFor('r1')).map((e) => e.type)).toEqual(['requested', 'rejected']);
    const lines = await linesOf(file);
    expect(lines[1]).toBe('{"type":"approved","requestId":"r1","at":"2025-');
    await second.close();
  });

  it('skips lines that are JSON but not events', async () => {
    const file = join(dir, 'audit.jsonl');
    await appendFile(file, '42\n{"requestId":"r1"}\n\n');
    const log = await openAuditLog({ file });
    await log.append(event('r1', 'expired'));
    expect(await log.eventsFor('r1')).toEqual([event('r1', 'expired')]);
    await log.close();
  });

  it('answers the latest archived snapshot of a request', async () => {
    const log = await openAuditLog({ file: join(dir, 'audit.jsonl') });
    expect(await log.lastSnapshot('r1')).toBeUndefined();
    await log.append(event('r1', 'finished'));
    await log.append(toArchivedEvent(request('r1', 'failed'), new Date('2025-03-01T00:00:00Z')));
    await log.append(toArchivedEvent(request('r2', 'done'), new Date('2025-03-01T00:00:00Z')));
    await log.append(toArchivedEvent(request('r1', 'done'), new Date('2025-03-02T00:00:00Z')));

    expect(await log.lastSnapshot('r1')).toEqual(request('r1', 'done'));
    expect(await log.lastSnapshot('r2')).toEqual(request('r2', 'done'));
    expect((await log.eventsFor('r1')).at(-1)).toMatchObject({
      type: 'archived',
      at: '2025-03-02T00:00:00.000Z',
    });
    await log.close();
  });

  it('finds an archived or unknown request without reading the trail, however long it is', async () => {
    const file = join(dir, 'audit.jsonl');
    const log = await openAuditLog({ file });
    await log.append(toArchivedEvent(request('kept', 'done'), new Date('2025-03-01T00:00:00Z')));
    const lookups = async () => {
      const before = log.stats().trailBytesRead;
      expect(await log.lastSnapshot('kept')).toEqual(request('kept', 'done'));
      expect(await log.lastSnapshot('ak-never-was')).toBeUndefined();
      return log.stats().trailBytesRead - before;
    };
    expect(await lookups()).toBe(0);
    // 20,000 more events (about 2 MB): the same lookups still read nothing of the trail.
    for (let i = 0; i < 20; i++) {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, j) =>
          log.append(event(`r${i}-${j}`, 'step_done', { outcomes: ['ok'.repeat(30)] })),
        ),
      );
    }
    expect((await stat(file)).size).toBeGreaterThan(2_000_000);
    expect(await lookups()).toBe(0);
    // What does read the trail (a request's whole story) shows that the counter counts.
    await log.eventsFor('kept');
    expect(log.stats().trailBytesRead).toBeGreaterThan(2_000_000);
    await log.close();
  });

  it('files the snapshots of a trail an earlier version wrote, once, at the first open', async () => {
    const file = join(dir, 'audit.jsonl');
    const lines = [
      toArchivedEvent(request('old1', 'failed'), new Date('2025-03-01T00:00:00Z')),
      event('old1', 'requested'),
      toArchivedEvent(request('old2', 'done'), new Date('2025-03-01T00:00:00Z')),
      toArchivedEvent(request('old1', 'done'), new Date('2025-03-02T00:00:00Z')),
    ].map((e) => `${JSON.stringify(e)}\n`);
    await appendFile(file, lines.join(''));
    const first = await openAuditLog({ file });
    expect(first.stats().trailBytesRead).toBe((await stat(file)).size);
    expect(await first.lastSnapshot('old1')).toEqual(request('old1', 'done'));
    expect(await first.lastSnapshot('old2')).toEqual(request('old2', 'done'));
    await first.close();
    const second = await openAuditLog({ file });
    expect(second.stats().trailBytesRead).toBe(0);
    expect(await second.lastSnapshot('old1')).toEqual(request('old1', 'done'));
    await second.close();
    expect(await readFile(file, 'utf8')).toBe(lines.join(''));
  });

  it('refuses a path it cannot append to, naming it', async () => {
    const file = join(dir, 'audit.jsonl');
    await mkdir(file);
    const error = await openAuditLog({ file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'audit_unwritable' });
    expect((error as Error).message).toContain(file);
  });

  it('records the event as it was when appended', async () => {
    const log = await openAuditLog({ file: join(dir, 'audit.jsonl') });
    const e = event('r1', 'requested', { instanceIds: ['i-1'] });
    const appended = log.append(e);
    (e.instanceIds as string[]).push('i-2');
    await appended;
    expect(await log.eventsFor('r1')).toEqual([event('r1', 'requested', { instanceIds: ['i-1'] })]);
    await log.close();
  });

  it('puts the default file beside DATA_FILE', () => {
    expect(defaultAuditFile('./data/db.json')).toBe(join('data', 'audit.jsonl'));
    expect(defaultAuditFile('/var/lib/bot/state.json')).toBe('/var/lib/bot/audit.jsonl');
  });
});
