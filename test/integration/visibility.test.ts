import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/bot-harness.js';

// Issue 18 over the real Bolt receiver: `history` and `status` show each reader only the requests
// posted where they ask, their own, and those they may approve or decided. An id someone may not
// see is answered exactly like an id that never existed.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const PRIVATE = 'G0PRIVATE';
const OPS = 'C0OPS';

/** The text of the private answer to a command, once it arrives. */
async function ask(text: string, from: { user: string; channel: string; team?: string }) {
  const { replyId } = await h.command(text, from);
  const body = await h.responseTo(replyId);
  return `${String(body.text)}\n${JSON.stringify(body.blocks ?? [])}`;
}

/** A request of UREQ posted in a private channel, one of UREQ2 in #ops. */
async function seed() {
  h = await startHarness({ env: { REQUESTER_USER_IDS: 'UREQ,UREQ2,UOTHER' } });
  const secret = await h.request('i-priv0001 key=ops-key', { user: 'UREQ', channel: PRIVATE });
  const open = await h.request('i-open0001 key=ops-key', { user: 'UREQ2', channel: OPS });
  return { secret: secret.requestId, open: open.requestId };
}

describe('history and status are scoped to the reader', () => {
  it('hides a private channel’s request from elsewhere: status answers as for an unknown id', async () => {
    const { secret, open } = await seed();
    const elsewhere = { user: 'UOTHER', channel: OPS };

    const history = await ask('history 20', elsewhere);
    expect(history).toContain(open);
    expect(history).not.toContain(secret);

    const hidden = await ask(`status ${secret}`, elsewhere);
    const unknownId = 'ak-zzzzzzzz';
    const unknown = await ask(`status ${unknownId}`, elsewhere);
    expect(hidden).not.toContain('i-priv0001');
    expect(hidden.replaceAll(secret, 'ID')).toBe(unknown.replaceAll(unknownId, 'ID'));

    // In the private channel itself, everyone there sees it.
    expect(await ask(`status ${secret}`, { user: 'UOTHER', channel: PRIVATE })).toContain(
      'i-priv0001',
    );
  });

  it('shows it to its requester and its approvers from anywhere, a DM with the bot included', async () => {
    const { secret, open } = await seed();
    const mine = await ask('history', { user: 'UREQ', channel: 'D0UREQ' });
    expect(mine).toContain(secret);
    // A DM holds only one's own and approvable requests: UREQ2's request is neither.
    expect(mine).not.toContain(open);
    expect(await ask(`status ${secret}`, { user: 'UREQ', channel: OPS })).toContain('i-priv0001');

    // APPROVER_USER_IDS may approve both: both are theirs to see, in a DM too.
    const approver = await ask('history', { user: 'UAPP1', channel: 'D0UAPP1' });
    expect(approver).toContain(secret);
    expect(approver).toContain(open);
    expect(await ask(`status ${secret}`, { user: 'UAPP2', channel: 'D0UAPP2' })).toContain(
      'i-priv0001',
    );
  });

  it('refuses someone who may neither ask nor approve, as a request would be refused', async () => {
    const { secret } = await seed();
    for (const text of ['history', `status ${secret}`]) {
      const answer = await ask(text, { user: 'UNOBODY', channel: PRIVATE });
      expect(answer).toContain('REQUESTER_USER_IDS');
      expect(answer).not.toContain(secret);
    }
  });

  it('lets a user of another workspace read nothing unless listed by id', async () => {
    const { secret } = await seed();
    const external = await ask('history', { user: 'UEXT', channel: PRIVATE, team: 'T0OTHER' });
    expect(external).toContain('another workspace');
    expect(external).not.toContain(secret);
    // UREQ is listed by id in REQUESTER_USER_IDS: from another workspace too.
    expect(await ask('history', { user: 'UREQ', channel: OPS, team: 'T0OTHER' })).toContain(secret);
  });
});
