import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createApproverDirectory } from '../../src/slack/approver-directory.js';
import { silentLogger } from '../support/memory-ports.js';

// User-group members (issue 19): fresh for a while, then asked again; while Slack cannot be asked
// the last known members stand in for at most 30 minutes after they were read, then fail closed.

function directory() {
  let now = Date.parse('2026-11-28T09:00:00.000Z');
  let answer: () => Promise<{ users: string[] }> = async () => ({ users: ['ULEAD1'] });
  let calls = 0;
  const client = {
    usergroups: {
      users: {
        list: async () => {
          calls++;
          return answer();
        },
      },
    },
  } as unknown as webApi.WebClient;
  const logger = silentLogger();
  const dir = createApproverDirectory({ client, logger, now: () => now });
  return {
    dir,
    logger,
    calls: () => calls,
    advance: (minutes: number) => {
      now += minutes * 60_000;
    },
    slackDown: () => {
      answer = async () => {
        throw Object.assign(new Error('down'), { data: { error: 'service_unavailable' } });
      };
    },
  };
}

describe('the approver directory', () => {
  it('uses last known members while Slack is down, for 30 minutes after they were read', async () => {
    const d = directory();
    expect((await d.dir.membersOf(['S0LEADS'])).get('S0LEADS')).toEqual(new Set(['ULEAD1']));
    d.slackDown();
    d.advance(29);
    expect((await d.dir.membersOf(['S0LEADS'])).get('S0LEADS')).toEqual(new Set(['ULEAD1']));
    expect(d.dir.stale?.(['S0LEADS'])).toBeUndefined();
    d.advance(2);
    expect((await d.dir.membersOf(['S0LEADS'])).get('S0LEADS')).toBeUndefined();
    expect(d.dir.stale?.(['S0LEADS', 'S0NEVER'])).toEqual({
      groups: ['S0LEADS'],
      afterMinutes: 30,
    });
    expect(d.logger.lines.at(-1)).toContain('last known members too old: refusing');
  });

  it('asks Slack again once the answer is 5 minutes old; refuses when Slack is down and it is old', async () => {
    const d = directory();
    await d.dir.membersOf(['S0LEADS']);
    d.advance(4);
    await d.dir.membersOf(['S0LEADS']);
    expect(d.calls()).toBe(1);
    d.advance(40);
    d.slackDown();
    expect((await d.dir.membersOf(['S0LEADS'])).get('S0LEADS')).toBeUndefined();
    expect(d.calls()).toBe(2);
  });
});
