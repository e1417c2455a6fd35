import { loadConfig } from '@rendezvous/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoturnServer } from '../../../test/support/coturn-server.js';
import { allocateRelay } from '../../../test/support/turn-client.js';
import { IceServersService } from '../src/ice-servers.service.js';
import { mintTurnRestCredential } from '../src/turn-rest.js';

const SECRET = 'coturn-shared-secret-for-tests';

describe('TURN REST credentials against a real coturn (use-auth-secret)', () => {
  let coturn: CoturnServer;

  beforeAll(async () => {
    coturn = await CoturnServer.start(SECRET);
  });
  afterAll(async () => coturn?.stop());

  it('allocates a relay with the credentials the gateway hands a session', async () => {
    const ice = new IceServersService(
      loadConfig({ TURN_SECRET: SECRET, TURN_URLS: coturn.url, TURN_TTL_SECONDS: '600' }, []),
    );
    const [server] = ice.forSession('k3v9x0q2ma');
    expect(server).toMatchObject({ urls: [coturn.url], username: expect.stringMatching(/^\d+:k3v9x0q2ma$/) });
    const result = await allocateRelay('127.0.0.1', coturn.port, server!.username!, server!.credential!);
    expect(result, coturn.log()).toMatchObject({ ok: true, relayed: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('refuses a credential signed with another secret', async () => {
    const forged = mintTurnRestCredential('not-the-secret', 'attacker', 600);
    expect(await allocateRelay('127.0.0.1', coturn.port, forged.username, forged.credential)).toMatchObject({
      ok: false,
      code: 401,
    });
  });

  it('refuses an expired credential', async () => {
    const expired = mintTurnRestCredential(SECRET, 'latecomer', 60, Date.now() - 3_600_000);
    expect(await allocateRelay('127.0.0.1', coturn.port, expired.username, expired.credential)).toMatchObject({
      ok: false,
      code: 401,
    });
  });
});
