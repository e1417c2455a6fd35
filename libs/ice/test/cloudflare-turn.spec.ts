import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudflareStandIn } from '../../../test/support/cloudflare-stand-in.js';
import { CloudflareTurnClient, CloudflareTurnError } from '../src/cloudflare-turn.js';

describe('Cloudflare TURN client (against a local stand-in of the documented API)', () => {
  let standIn: CloudflareStandIn;
  let now = 1_800_000_000_000;
  const client = (timeoutMs = 1_000) =>
    new CloudflareTurnClient(
      { tokenId: standIn.keyId, apiToken: standIn.apiToken, apiUrl: standIn.apiUrl, ttlSeconds: 3_600, timeoutMs },
      () => now,
    );

  beforeAll(async () => {
    standIn = await CloudflareStandIn.start();
  });
  beforeEach(() => {
    standIn.mode = 'ok';
    standIn.requests.length = 0;
  });
  afterAll(async () => standIn?.stop());

  it('asks with the bearer token and the TTL, and shares one answer until shortly before it expires', async () => {
    const turn = client();
    const [first, second] = await Promise.all([turn.iceServers(), turn.iceServers()]);
    expect(standIn.requests).toEqual([
      {
        path: `/v1/turn/keys/${standIn.keyId}/credentials/generate-ice-servers`,
        authorization: `Bearer ${standIn.apiToken}`,
        body: { ttl: 3_600 },
      },
    ]);
    expect(second).toBe(first);
    expect(first[1]).toMatchObject({ username: expect.stringMatching(/^cf-user-/) });
    now += 3_000_000;
    expect(await turn.iceServers()).toBe(first);
    expect(turn.cachedServers()).toBe(first);
    now += 400_000; // past the TTL minus the 5-minute margin
    expect(turn.cachedServers()).toBeNull();
    const renewed = await turn.iceServers();
    expect(renewed).not.toEqual(first);
    expect(standIn.requests).toHaveLength(2);
  });

  it('reports an upstream error and a timeout, and recovers afterwards', async () => {
    const turn = client(300);
    standIn.mode = 'error';
    await expect(turn.iceServers()).rejects.toThrow(/answered 500/);
    standIn.mode = 'slow';
    const started = Date.now();
    const timedOut = await turn.iceServers().catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(CloudflareTurnError);
    expect((timedOut as Error).message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    standIn.mode = 'ok';
    expect(await turn.iceServers()).toHaveLength(2);
  });

  it('reports a refused token and an unknown key', async () => {
    const wrongToken = new CloudflareTurnClient({
      tokenId: standIn.keyId,
      apiToken: 'wrong',
      apiUrl: standIn.apiUrl,
      ttlSeconds: 60,
      timeoutMs: 1_000,
    });
    await expect(wrongToken.iceServers()).rejects.toThrow(/answered 401/);
    const wrongPath = new CloudflareTurnClient({
      tokenId: 'other-key',
      apiToken: standIn.apiToken,
      apiUrl: standIn.apiUrl,
      ttlSeconds: 60,
      timeoutMs: 1_000,
    });
    await expect(wrongPath.iceServers()).rejects.toThrow(/answered 404/);
  });
});
