import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor, describeError } from '../../src/app/logger.js';

const fixedNow = () => new Date('2026-11-28T09:00:00.000Z');

function capture(format: 'text' | 'json', level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    format,
    secrets: ['s3cr3t-value-123'],
    write: (line) => lines.push(line),
    now: fixedNow,
  });
  return { lines, logger };
}

describe('logger', () => {
  it('writes JSON lines with level, time, event and fields', () => {
    const { lines, logger } = capture('json');
    logger.child({ requestId: 'ak-1' }).info('request approved', { by: 'U1' });
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'info',
      time: '2026-11-28T09:00:00.000Z',
      event: 'request approved',
      requestId: 'ak-1',
      by: 'U1',
    });
  });

  it('writes readable text otherwise', () => {
    const { lines, logger } = capture('text');
    logger.warn('batch failed', { requestId: 'ak-1', code: 'InternalError' });
    expect(lines[0]).toBe(
      '2026-11-28T09:00:00.000Z WARN  batch failed requestId=ak-1 code=InternalError',
    );
  });

  it('honours the level', () => {
    const { lines, logger } = capture('text', 'warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['WARN', 'ERROR']);
  });

  it('redacts configured secrets, Slack tokens and signatures wherever they appear', () => {
    const { lines, logger } = capture('json');
    logger.error('boom', {
      detail: 'token s3cr3t-value-123 and xoxb-123-456-abc and xapp-1-A1-2-ff',
      header:
        'HMAC-SHA256 Credential=AKLTx/20240520/cn-beijing/ecs/request, SignedHeaders=host, Signature=0123456789abcdef0123',
      error: new Error('failed with s3cr3t-value-123'),
    });
    const line = lines[0] as string;
    expect(line).not.toContain('s3cr3t-value-123');
    expect(line).not.toContain('xoxb-123');
    expect(line).not.toContain('xapp-1');
    expect(line).not.toContain('0123456789abcdef0123');
    expect(line).not.toContain('AKLTx/');
    expect(line).toContain('[redacted]');
  });

  it('redacts the password of a postgres URL, leaving the rest readable', () => {
    const redact = createRedactor([]);
    expect(redact('connect postgres://bot:hunter2@db:5432/akb and postgresql://u:p%40w@h/d')).toBe(
      'connect postgres://bot:[redacted]@db:5432/akb and postgresql://u:[redacted]@h/d',
    );
    expect(redact('postgres://bot@db/akb')).toBe('postgres://bot@db/akb');
  });

  it('redacts response_url values and hooks.slack.com URLs in every shape a payload is logged in', () => {
    const redact = createRedactor([]);
    const url = 'https://hooks.slack.com/commands/T0FAKE/123456/AbCdEf0123';
    const shapes = [
      `Received: {"type":"slash_commands","payload":{"response_url":"${url}","text":"x"}}`,
      `nested: "{\\"response_url\\":\\"${url}\\",\\"user\\":\\"U1\\"}"`,
      `form: token=x&response_url=${encodeURIComponent(url)}&trigger_id=1`,
      `payload=${encodeURIComponent(JSON.stringify({ response_url: url, user: { id: 'U1' } }))}`,
      `inspect: { response_url: '${url}', user_id: 'U1' }`,
      `text response_url=http://127.0.0.1:4000/response_url/r1 next=1`,
      `a bare ${url} in a message`,
      `encoded ${encodeURIComponent(url)} too`,
      `webhook https://hooks.slack-gov.com/services/T0/B0/xyz`,
    ];
    for (const shape of shapes) {
      const out = redact(shape);
      expect(out).toContain('[redacted]');
      expect(out).not.toMatch(/AbCdEf0123|127\.0\.0\.1:4000|services\/T0|AbCdEf0123/);
    }
    // What is around the URL stays readable.
    expect(redact(shapes[0] as string)).toBe(
      'Received: {"type":"slash_commands","payload":{"response_url":"[redacted]","text":"x"}}',
    );
    expect(redact(shapes[2] as string)).toBe('form: token=x&response_url=[redacted]&trigger_id=1');
  });

  it('describes errors by name, code and message, never their stack', () => {
    const error = Object.assign(new Error('nope'), {
      code: 'E1',
      data: { error: 'not_in_channel' },
    });
    expect(describeError(error)).toEqual({
      name: 'Error',
      code: 'E1',
      message: 'nope',
      slackError: 'not_in_channel',
    });
    expect(createRedactor([])('plain text')).toBe('plain text');
  });
});
