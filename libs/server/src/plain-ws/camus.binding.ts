import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { IceServersService } from '@rendezvous/ice';
import { clientSchemas } from '@rendezvous/protocol';
import { Client, ReadinessState, RoomSessions, SessionLifecycle } from '@rendezvous/sessions';
import type { RawData, WebSocket } from 'ws';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { toErrorPayload } from '../common/ws-errors.js';
import { validatePayload } from '../common/validate-payload.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { admitFrame } from './frames.js';
import type { PlainWsBinding, PlainWsContext } from './plain-ws.server.js';
import { PlainWsLink } from './plain-ws-link.js';

/** Camus's name for the server, as sender and receiver. */
export const GROUND_CONTROL = 'ground control';
/** Camus's name of a new client until its `profile`. */
const DEFAULT_USERNAME = 'Major Tom';
/** `/room/<slug>/ws`: the room is the slug. */
export const CAMUS_PATH = /^\/room\/([^/]+)\/ws\/?$/;
/** Camus's own rhythm: pings every 20 s to clients unseen for 30 s; those unseen for 90 s are let go. */
const PING_EVERY_MS = 20_000;
const PING_AFTER_MS = 30_000;
const REAP_AFTER_MS = 90_000;

type MemberEvent = 'offer' | 'answer' | 'icecandidate' | 'greeting';
const MEMBER_EVENTS = new Set<string>(['offer', 'answer', 'icecandidate', 'greeting']);

/**
 * Camus's envelopes `{sender, receiver, type, data}` for the core's events, `receiver` always the client's own
 * id (broadcasts are copied per member, as Camus's server does). Events of other protocols are not sent.
 */
export function encodeCamus(event: string, payload: unknown, ownId: string): object | null {
  const fields = payload as Record<string, unknown>;
  const fromServer = (type: string, data: unknown) => ({ sender: GROUND_CONTROL, receiver: ownId, type, data });
  switch (event) {
    case 'room-info':
      return fromServer(event, { room_id: fields.room_id, clients: fields.clients });
    case 'offer':
    case 'answer':
    case 'icecandidate':
    case 'greeting':
      return { sender: fields.sender, receiver: ownId, type: event, data: fields.data };
    case 'text':
      return { sender: fields.sender, receiver: ownId, type: event, data: pick(fields, ['from', 'time', 'text']) };
    case 'bye':
      return { sender: fields.sender, receiver: ownId, type: event, data: null };
    case 'error':
      return fromServer(event, fields.message);
    default:
      return null;
  }
}

/** The room of a Camus path; a malformed escape leaves it empty, which the room id's rules then refuse. */
function slugOf(url: URL): string {
  try {
    return decodeURIComponent(CAMUS_PATH.exec(url.pathname)?.[1] ?? '');
  } catch {
    return '';
  }
}

function pick(fields: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, fields[name]]));
}

interface CamusConnection {
  client: Client;
  link: PlainWsLink;
  ws: WebSocket;
  /** Settles once the client is a member of its room (rejects when it may not be). */
  joined: Promise<void>;
  lastSeen: number;
}

/**
 * Camus's protocol over a plain WebSocket at `/room/<slug>/ws`: the socket joins the multiparty room `<slug>` on
 * connect (created by its first member; a password room needs `?password=`), then `ping`, `get-ice-servers`,
 * `get-room-info`, `profile`, addressed `offer`/`answer`/`icecandidate`, `text` to `room`, and `bye`. It meets
 * Socket.IO `join-room` clients of the same room id on any replica.
 */
@Injectable()
export class CamusBinding implements PlainWsBinding, OnApplicationShutdown {
  private readonly logger = new Logger('Camus');
  private readonly limiter: EventRateLimiter;
  private readonly connections = new Set<CamusConnection>();
  private readonly pinger: NodeJS.Timeout;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
    @Inject(RoomSessions) private readonly rooms: RoomSessions,
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {
    this.limiter = new EventRateLimiter(config.limits, (outcome) => metrics.rateLimited.inc({ outcome }));
    this.pinger = setInterval(() => this.pingSilent(), PING_EVERY_MS);
    this.pinger.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pinger);
  }

  accept(ws: WebSocket, { address, claims, url }: PlainWsContext): void {
    let client: Client | null = null;
    const link = new PlainWsLink(ws, 'camus', (event, payload) =>
      encodeCamus(event, payload, client?.session?.id ?? ''),
    );
    if (this.readiness.isDraining) {
      this.metrics.refused('draining');
      return link.close();
    }
    client = new Client(link, address, claims);
    const roomId = slugOf(url);
    const password = url.searchParams.get('password') ?? undefined;
    const connection: CamusConnection = { client, link, ws, joined: Promise.resolve(), lastSeen: Date.now() };
    const member = client;
    connection.joined = this.lifecycle
      .connect(member, null, () => undefined)
      .then(async (connected) => {
        if (!connected) return;
        const body = validatePayload(clientSchemas['join-room'], { roomId, name: DEFAULT_USERNAME, password });
        await this.rooms.join(member, body);
      });
    connection.joined.catch((error: unknown) => {
      this.sendError(connection, error, 'join-room');
      ws.close(1008, 'Not admitted to the room');
    });
    this.connections.add(connection);
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(connection, data, isBinary));
    ws.once('close', () => {
      this.connections.delete(connection);
      this.lifecycle.disconnect(member);
    });
  }

  private receive(connection: CamusConnection, data: RawData, isBinary: boolean): void {
    connection.lastSeen = Date.now();
    const maxPayloadBytes = this.config.server.maxPayloadBytes;
    const message = admitFrame(this.limiter, connection.ws, { data, isBinary, maxPayloadBytes }, (error) =>
      this.sendErrorText(connection, error),
    );
    if (!message) return;
    const { type, receiver, data: body } = message;
    // The answer to one of our pings (Camus clients answer with `sender: ""`): being heard from is enough.
    if (type === 'pong') return;
    connection.joined
      .then(() => this.handle(connection, String(type), receiver, body))
      .catch((error: unknown) => this.sendError(connection, error, String(type)));
  }

  private async handle(connection: CamusConnection, type: string, receiver: unknown, data: unknown): Promise<void> {
    const { client, link } = connection;
    const ownId = client.session?.id ?? '';
    const reply = (replyType: string, replyData: unknown) =>
      link.sendFrame({ sender: GROUND_CONTROL, receiver: ownId, type: replyType, data: replyData });
    if (MEMBER_EVENTS.has(type)) {
      const { receiver: to, data: payload } = validatePayload(clientSchemas[type as MemberEvent], { receiver, data });
      if (to) await this.rooms.relayToMember(client, type as MemberEvent, to, payload ?? null);
      return;
    }
    switch (type) {
      case 'ping':
        return reply('pong', data ?? null);
      case 'get-ice-servers':
        return reply('ice-servers', await this.ice.resolveForSession(ownId));
      case 'get-room-info': {
        const { room_id, clients } = await this.rooms.roster(client);
        return reply('room-info', { room_id, clients });
      }
      case 'profile':
        await this.rooms.rename(client, validatePayload(clientSchemas.profile, data).username);
        return;
      case 'text':
        this.rooms.relayText(client, validatePayload(clientSchemas.text, data));
        return;
      case 'bye':
        // A bye to a peer only says goodbye to it; the bye to the server (or the room) leaves.
        if (receiver === GROUND_CONTROL || receiver === 'room' || receiver === undefined) await this.rooms.bye(client);
        return;
      default:
        return reply('error', `Unknown message type: ${type.slice(0, 64)}`);
    }
  }

  /** Camus's server pings the clients it has not heard from lately and lets go of the long-silent ones. */
  private pingSilent(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      const silentFor = now - connection.lastSeen;
      if (silentFor >= REAP_AFTER_MS) connection.ws.close(1001, 'Client unseen for too long');
      else if (silentFor >= PING_AFTER_MS) {
        const ownId = connection.client.session?.id ?? '';
        connection.link.sendFrame({ sender: GROUND_CONTROL, receiver: ownId, type: 'ping', data: now });
      }
    }
  }

  private sendError(connection: CamusConnection, error: unknown, event: string): void {
    this.sendErrorText(connection, toErrorPayload(error, event, this.logger).message);
  }

  private sendErrorText(connection: CamusConnection, message: string): void {
    const ownId = connection.client.session?.id ?? '';
    connection.link.sendFrame({ sender: GROUND_CONTROL, receiver: ownId, type: 'error', data: message });
  }
}
