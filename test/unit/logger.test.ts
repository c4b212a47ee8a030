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

describe('private keys in log lines', () => {
  const KEY = [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACDdWx9cS3ljMXuVCR2l4hzMu7dTcjXzAsplR0yY3ovNPgAAAJDVmHWm1Zh1',
    '-----END OPENSSH PRIVATE KEY-----',
  ].join('\n');
  const pieces = [
    'BEGIN OPENSSH',
    'b3BlbnNzaC1rZXktdjEAAAAABG5v',
    'QyNTUxOQAAACDdWx9c',
    'ovNPgAAAJDVmHWm1Zh1',
  ];
  const leaks = (text: string) => pieces.filter((p) => text.includes(p));

  it.each([
    ['raw', (text: string) => text],
    ['JSON-escaped', (text: string) => JSON.stringify({ text, user_id: 'U1' })],
    ['form-encoded', (text: string) => new URLSearchParams({ text, user_id: 'U1' }).toString()],
  ])('are redacted %s, and the rest of the line stays readable', (_how, encode) => {
    const redact = createRedactor([]);
    const line = `Received a message on the WebSocket: ${encode(`import ops-key ${KEY}`)}`;
    const out = redact(line);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('[redacted private key]');
    // Only the key goes: what follows it in a payload stays.
    if (encode('') !== '') expect(out).toContain('user_id');
  });

  it('keeps a JSON log line valid JSON', () => {
    const { lines, logger } = capture('json', 'debug');
    logger.debug(JSON.stringify({ text: `import k ${KEY}` }), { source: 'bolt' });
    const parsed = JSON.parse(lines[0] as string) as { event: string; source: string };
    expect(parsed.source).toBe('bolt');
    expect(leaks(parsed.event)).toEqual([]);
  });

  it('catches a PuTTY key and a bare OpenSSH key body too', () => {
    const redact = createRedactor([]);
    const putty =
      'PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAAIGsecretbytes\nPrivate-MAC: 00ff';
    expect(redact(`x ${putty}`)).not.toContain('AAAAIGsecretbytes');
    expect(redact('text=b3BlbnNzaC1rZXktdjEAAAAABG5vbmU%0AQyNTUxOQ&user=U1')).toBe(
      'text=[redacted private key]&user=U1',
    );
  });
});
