import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLinesOf } from '../../../test/support/log-lines.js';
import { Replica } from '../../../test/support/replica.js';

const ACCESS_KEY = 'log-access-key-0123456789abcdef';
const BUFFER_SIZE = 25;
const SECRETS = ['Bearer s3cr3t-bearer-token', 'sid=s3cr3t-cookie', 's3cr3t-query-token', ACCESS_KEY];

describe('structured logs and GET /logs', () => {
  let keyed: Replica;
  let keyless: Replica;

  beforeAll(async () => {
    [keyed, keyless] = await Promise.all([
      Replica.start('logs-keyed', { LOG_ACCESS_KEY: ACCESS_KEY, MAX_LOG_BUFFER_SIZE: String(BUFFER_SIZE) }),
      Replica.start('logs-keyless', {}),
    ]);
  });
  afterAll(async () => {
    await Promise.all([keyed?.stop(), keyless?.stop()]);
  });

  const logs = (replica: Replica, query: string) => fetch(`${replica.url}/logs${query}`);

  it('writes every line as one JSON object naming its level, time, app and replica', async () => {
    await keyed.process.waitForOutput(/listening on/);
    const lines = keyed.process.output.split('\n').filter((line) => line.length > 0);
    const parsed = logLinesOf(keyed.process.output);
    expect(parsed.length).toBe(lines.length);
    for (const line of parsed) {
      expect(line).toMatchObject({ app: 'gateway', replica: 'logs-keyed', pid: keyed.process.child.pid });
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
      expect(typeof line.msg).toBe('string');
    }
    expect(parsed.some((line) => /listening on/.test(line.msg as string))).toBe(true);
  });

  it('does not exist without LOG_ACCESS_KEY', async () => {
    expect((await logs(keyless, '')).status).toBe(404);
    expect((await logs(keyless, '?key=anything-at-all-0123456789')).status).toBe(404);
  });

  it('refuses a missing or wrong key, however close', async () => {
    const wrong = [
      '',
      '?key=',
      `?key=${ACCESS_KEY.slice(0, -1)}`,
      `?key=${ACCESS_KEY}x`,
      `?key=${ACCESS_KEY.slice(0, -1)}F`,
      `?key=${ACCESS_KEY.toUpperCase()}`,
      `?key=${ACCESS_KEY}&key=${ACCESS_KEY}`,
      `?key[a]=${ACCESS_KEY}`,
    ];
    for (const query of wrong) {
      const response = await logs(keyed, query);
      expect(response.status, query).toBe(403);
      expect(await response.json()).toMatchObject({ message: 'Invalid or missing log access key.' });
    }
  });

  it('serves the last MAX_LOG_BUFFER_SIZE lines as plain text with the right key', async () => {
    for (let i = 0; i < BUFFER_SIZE + 10; i++) await fetch(`${keyed.url}/api/status?n=${i}`);
    const response = await logs(keyed, `?key=${ACCESS_KEY}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(BUFFER_SIZE);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
    // The oldest lines (start-up) are gone; the newest request is there, in order.
    expect(entries.some((entry) => /listening on/.test(entry.msg as string))).toBe(false);
    const urls = entries.map((entry) => entry.req?.url as string | undefined).filter(Boolean);
    expect(urls.at(-1)).toBe(`/api/status?n=${BUFFER_SIZE + 9}`);
    // The same lines went to stdout.
    expect(keyed.process.output).toContain(lines.at(-1));
  });

  it('never writes credentials: headers, secret query parameters and the access key are redacted', async () => {
    await fetch(`${keyed.url}/api/status?token=s3cr3t-query-token`, {
      headers: { Authorization: 'Bearer s3cr3t-bearer-token', Cookie: 'sid=s3cr3t-cookie' },
    });
    await logs(keyed, `?key=${ACCESS_KEY}`);
    const served = await (await logs(keyed, `?key=${ACCESS_KEY}`)).text();
    const requestLine = logLinesOf(served).find((entry) => entry.req?.url === '/api/status?token=[redacted]');
    expect(requestLine?.req).toMatchObject({
      query: { token: '[redacted]' },
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
    });
    const logsRequest = logLinesOf(served).find((entry) => entry.req?.url === '/logs?key=[redacted]');
    expect(logsRequest?.req).toMatchObject({ query: { key: '[redacted]' } });
    for (const secret of SECRETS) {
      expect(served).not.toContain(secret.split(' ').at(-1));
      expect(keyed.process.output).not.toContain(secret.split(' ').at(-1));
    }
  });
});
