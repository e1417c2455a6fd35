import { Logger } from '@nestjs/common';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@rendezvous/protocol';
import { SignalingError } from '@rendezvous/signaling';
import { SocketEventRouter } from '@rendezvous/transport';
import { Server, type Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindClientEvents, ClientEvent, type ClientEventBody } from './client-event.js';
import { sendFailure } from './ws-errors.js';

class FlightsGateway {
  joined: string[] = [];

  @ClientEvent('join-flight')
  async joinFlight(socket: Socket, body: ClientEventBody<'join-flight'>) {
    this.joined.push(`${socket.id}:${body.flightCode}`);
    return { ok: true, data: { flightCode: body.flightCode } };
  }

  @ClientEvent('leave-flight')
  leaveFlight(): never {
    throw new SignalingError(ErrorCode.NotInFlight);
  }
}

/** A subclass inherits its parent's events and adds its own, without adding them to the parent. */
class RoomsGateway extends FlightsGateway {
  @ClientEvent('bye')
  bye() {
    return { ok: true, data: { left: null } };
  }
}

describe('@ClientEvent handlers on a real Socket.IO server', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket;
  const gateway = new RoomsGateway();
  const errors: unknown[] = [];

  beforeAll(async () => {
    http = createServer();
    server = new Server(http);
    const router = SocketEventRouter.attach(server, new Logger('test'));
    router.handleFailuresWith((socket, event, error, ack) =>
      sendFailure(socket, event, error, new Logger('test'), ack),
    );
    bindClientEvents(router, gateway);
    server.on('connection', (socket) => router.listen(socket));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
    client.on('error', (error: unknown) => errors.push(error));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterAll(async () => {
    client.disconnect();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands the checked payload to the method and acknowledges with its result', async () => {
    const ack = await client.emitWithAck('join-flight', { flightCode: ' abc234' });
    expect(ack).toEqual({ ok: true, data: { flightCode: 'ABC234' } });
    expect(gateway.joined).toEqual([`${client.id}:ABC234`]);
  });

  it('answers a payload its schema refuses with invalid_payload, without calling the method', async () => {
    const ack = await client.emitWithAck('join-flight', { flightCode: 12 });
    expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidPayload, event: 'join-flight' } });
    expect(gateway.joined).toHaveLength(1);
  });

  it("answers what the method throws as the sender's error and ack", async () => {
    const before = errors.length;
    const ack = await client.emitWithAck('leave-flight', {});
    expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.NotInFlight, event: 'leave-flight' } });
    expect(errors.slice(before)).toMatchObject([{ code: ErrorCode.NotInFlight }]);
  });

  it("binds a subclass's own events beside its parent's, and not to the parent", async () => {
    expect(await client.emitWithAck('bye', {})).toEqual({ ok: true, data: { left: null } });
    const bound = (target: object) => {
      const events: string[] = [];
      bindClientEvents({ handle: (event: string) => events.push(event) } as unknown as SocketEventRouter, target);
      return events.sort();
    };
    expect(bound(new RoomsGateway())).toEqual(['bye', 'join-flight', 'leave-flight']);
    expect(bound(new FlightsGateway())).toEqual(['join-flight', 'leave-flight']);
  });
});
