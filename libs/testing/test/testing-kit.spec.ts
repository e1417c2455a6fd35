import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { RendezvousModule, SessionLifecycle } from '@rendezvous/server';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRendezvousTestingModule,
  FAKE_ICE_SERVERS,
  listenOnLoopback,
  TestClient,
  TestRendezvous,
} from '../src/index.js';

describe('TestRendezvous, one replica in memory', () => {
  let rendezvous: TestRendezvous;
  beforeAll(async () => {
    rendezvous = await TestRendezvous.start();
  });
  afterAll(() => rendezvous.close());

  it('pairs two clients in a flight and relays a signal between them', async () => {
    const host = await rendezvous.connect({ name: 'Host' });
    const guest = await rendezvous.connect({ name: 'Guest' });
    expect(host.name).toBe('Host');
    const { flightCode } = await TestClient.pairInFlight(host, guest);
    expect(flightCode).toMatch(/^[A-Z2-9]{6}$/);
    const receipt = await host.signal({ type: 'offer', sdp: 'v=0' });
    expect(receipt).toMatchObject({ ok: true, data: { delivery: 'delivered' } });
    const relayed = await guest.waitFor('signal', (signal) => signal.from === host.id);
    expect(relayed.data).toEqual({ type: 'offer', sdp: 'v=0' });
  });

  it('hands out the fake ICE servers and joins multiparty rooms', async () => {
    const client = await rendezvous.connect();
    const { iceServers } = await client.waitFor('rtc-config');
    expect(iceServers).toEqual(
      expect.arrayContaining(FAKE_ICE_SERVERS.map((server) => expect.objectContaining(server))),
    );
    const joined = await client.joinRoom('kit-room', { name: 'Ada' });
    expect(joined).toMatchObject({ roomId: 'kit-room', self: { id: client.id, username: 'Ada' } });
    const other = await rendezvous.connect();
    await other.joinRoom('kit-room', { name: 'Grace' });
    const info = await client.waitFor('room-info', (room) => room.clients.length === 2);
    expect(info.clients.map((member) => member.username).sort()).toEqual(['Ada', 'Grace']);
  });

  it('rejects a failed command with the server error', async () => {
    const client = await rendezvous.connect();
    await expect(client.joinFlight('ZZZZZZ')).rejects.toThrow(/flight_not_found/);
  });
});

describe('TestRendezvous, two replicas on a throwaway redis-server', () => {
  it('relays a flight across replicas and leaves no handle open after close', async () => {
    const handlesBefore = countHandles();
    const rendezvous = await TestRendezvous.start({ replicas: 2 });
    const host = await rendezvous.connect({ replica: 0 });
    const guest = await rendezvous.connect({ replica: 1 });
    await TestClient.pairInFlight(host, guest);
    await guest.signal({ candidate: 'a' });
    expect((await host.waitFor('signal')).from).toBe(guest.id);
    await rendezvous.close();
    // Sockets, servers and timers: none more than before the cluster started (some of the previous suite's are
    // still closing then).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const handlesAfter = countHandles();
    for (const [kind, count] of Object.entries(handlesAfter))
      expect(count, kind).toBeLessThanOrEqual(handlesBefore[kind] ?? 0);
  });

  it('leaves every HTTP route out with http: false, and still signals', async () => {
    const rendezvous = await TestRendezvous.start({ http: false, socketIoPath: '/signal' });
    try {
      expect((await fetch(`${rendezvous.url}/health/live`)).status).toBe(404);
      expect((await fetch(`${rendezvous.url}/api/rooms/public`)).status).toBe(404);
      const [host, guest] = [await rendezvous.connect(), await rendezvous.connect()];
      await TestClient.pairInFlight(host, guest);
      await expect(TestClient.connect(rendezvous.url)).rejects.toThrow();
    } finally {
      await rendezvous.close();
    }
  });

  it('says a memory live state cannot span replicas', async () => {
    await expect(TestRendezvous.start({ replicas: 2, liveState: 'memory' })).rejects.toThrow(/Redis/);
  });
});

function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TTYWrap' || kind === 'PipeWrap' || kind === 'ProcessWrap' || kind === 'FSReqCallback') continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

// An application of its own: a controller and a Socket.IO gateway on Nest's default adapter, beside Rendezvous.
@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Controller('greeting')
class GreetingController {
  constructor(
    @Inject(Greeter) private readonly greeter: Greeter,
    @Inject(SessionLifecycle) private readonly sessions: SessionLifecycle,
  ) {}

  @Get()
  get(): { text: string; clients: number } {
    return { text: this.greeter.greet('app'), clients: this.sessions.clientCount() };
  }
}

@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): unknown {
    return body;
  }
}

@Module({
  imports: [RendezvousModule.forRoot({ http: { prefix: 'rtc' }, socketIoPath: '/rtc/socket.io' })],
  controllers: [GreetingController],
  providers: [Greeter, EchoGateway],
})
class EmbeddingAppModule {}

/** The application's own logger: Rendezvous must log through it. */
class ApplicationLogger implements LoggerService {
  readonly lines: { message: string; context: string }[] = [];
  log(message: unknown, context?: unknown): void {
    this.lines.push({ message: String(message), context: String(context) });
  }
  error(): void {}
  warn(): void {}
}

describe('RendezvousModule inside an application (createRendezvousTestingModule)', () => {
  let app: INestApplication;
  let url: string;
  const logger = new ApplicationLogger();
  beforeAll(async () => {
    const moduleRef = await createRendezvousTestingModule({ imports: [EmbeddingAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger });
    url = await listenOnLoopback(app);
  });

  it('logs through the application’s logger', () => {
    expect(logger.lines).toContainEqual({ message: expect.stringMatching(/^Migrated file:/), context: 'Database' });
  });
  afterAll(() => app.close());

  it('serves its routes under the prefix beside the application’s own', async () => {
    expect(await (await fetch(`${url}/rtc/health/live`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/health/live`)).status).toBe(404);
    expect((await fetch(`${url}/rtc/api/rooms/public`)).status).toBe(200);
    expect(await (await fetch(`${url}/greeting`)).json()).toEqual({ text: 'hello app', clients: 0 });
  });

  it('signals at its own Socket.IO path while the application keeps its adapter for its gateways', async () => {
    const client = await TestClient.connect(url, { path: '/rtc/socket.io' });
    expect(client.id).toMatch(/^[0-9a-z]{10}$/);
    expect(await (await fetch(`${url}/greeting`)).json()).toMatchObject({ clients: 1 });
    const appSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      const echoed = await appSocket.timeout(5_000).emitWithAck('echo', { n: 1 });
      expect(echoed).toEqual({ n: 1 });
    } finally {
      appSocket.disconnect();
      client.close();
    }
  });
});
