import { afterEach, describe, expect, it } from 'vitest';
import {
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { type RecordedEcsCall, startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 20 end to end over signed HTTP: each batch is read back as soon as its AttachKeyPair is
// answered, while the later batches are still in flight (the fake ECS's record of when each
// call arrived and was answered), and what is sent is what it always was.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const ids = Array.from({ length: 300 }, (_, i) => `i-rb${String(i).padStart(7, '0')}`);
const inFlight = (c: RecordedEcsCall): [number, number] => [c.at, c.answeredAt ?? Infinity];
const overlap = (a: RecordedEcsCall, b: RecordedEcsCall) =>
  inFlight(a)[0] < inFlight(b)[1] && inFlight(b)[0] < inFlight(a)[1];

describe('verify while attaching', () => {
  it('reads batch 0 back while batch 1 is in flight; the attaches sent are unchanged', async () => {
    // Every call answered 80 ms after it arrives; one batch at a time.
    const ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS, latencyMs: 80 });
    h = await startHarness({ ecs, env: { VOLC_MAX_CONCURRENCY: '1' } });
    const { requestId, ts } = await h.request(`${ids.join(' ')} key=ops-key`);
    const approvedAt = ecs.calls.length;
    await h.click('approve', requestId, 'UAPP1');
    const text = (await h.waitForThread(ts)).map(messageText).join('\n');
    expect(text).toContain('300 succeeded');
    expect(text).not.toContain('not verified');
    const stored = await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results recorded');
    const key = stored.keyPairId;
    expect(key).toMatch(/^kp-/);

    // What is sent: the three batches in order, each with the ClientToken of its index and the
    // key pair's id, one at a time as VOLC_MAX_CONCURRENCY says.
    const attaches = ecs.callsFor('AttachKeyPair');
    expect(attaches.map((c) => [c.clientToken, c.instanceIds, c.keyPairId])).toEqual([
      [`${requestId}-b0`, ids.slice(0, 100), key],
      [`${requestId}-b1`, ids.slice(100, 200), key],
      [`${requestId}-b2`, ids.slice(200, 300), key],
    ]);
    for (let i = 1; i < attaches.length; i++) {
      expect(overlap(attaches[i - 1] as RecordedEcsCall, attaches[i] as RecordedEcsCall)).toBe(
        false,
      );
    }
    // The read-backs: one per batch, of that batch, after its answer.
    const reads = ecs.calls.slice(approvedAt).filter((c) => c.action === 'DescribeInstances');
    const readOf = (batch: number) =>
      reads.filter(
        (c) => c.instanceIds.join() === ids.slice(batch * 100, batch * 100 + 100).join(),
      );
    for (const batch of [0, 1, 2]) {
      const [read, ...more] = readOf(batch);
      expect(more).toEqual([]);
      const attach = attaches[batch] as RecordedEcsCall;
      expect(read?.at).toBeGreaterThanOrEqual(attach.answeredAt as number);
    }
    // Batch 0's and 1's reads were in flight together with the next batch's attach.
    expect(overlap(readOf(0)[0] as RecordedEcsCall, attaches[1] as RecordedEcsCall)).toBe(true);
    expect(overlap(readOf(1)[0] as RecordedEcsCall, attaches[2] as RecordedEcsCall)).toBe(true);
    expect(reads).toHaveLength(3);
  });
});
