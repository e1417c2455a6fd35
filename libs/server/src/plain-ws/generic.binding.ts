import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { clientSchemas, type RoomInfoPayload } from '@rendezvous/protocol';
import { Client, ReadinessState, RoomSessions, SessionLifecycle } from '@rendezvous/sessions';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { toErrorPayload } from '../common/ws-errors.js';
import { validatePayload } from '../common/validate-payload.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { admitFrame } from './frames.js';
import type { PlainWsBinding, PlainWsContext } from './plain-ws.server.js';
import { PlainWsLink } from './plain-ws-link.js';

/** Seed 004's upgrade: `?roomId=&userId=&userName=` (on any path). */
export const isGenericUpgrade = (url: URL) => url.searchParams.has('roomId') && url.searchParams.has('userId');

const targeted = z.object({ targetUserId: z.string().min(1).max(128) });
/** Seed 004's messages, by type: the core event each becomes and the field that carries its data. */
const SIGNALS = {
  offer: { event: 'offer', field: 'sdp' },
  answer: { event: 'answer', field: 'sdp' },
  'ice-candidate': { event: 'icecandidate', field: 'candidate' },
} as const;
type SignalType = keyof typeof SIGNALS;
const FROM_CORE: Record<string, { type: SignalType; field: string }> = {
  offer: { type: 'offer', field: 'sdp' },
  answer: { type: 'answer', field: 'sdp' },
  icecandidate: { type: 'ice-candidate', field: 'candidate' },
};

interface GenericConnection {
  client: Client;
  link: PlainWsLink;
  ws: WebSocket;
  /** Settles once the client is a member of its room. */
  joined: Promise<void>;
  /** The other members it was told of (session id -> the id it knows them by); null until `welcome`. */
  known: Map<string, string> | null;
  /** The last roster that came before `welcome`, applied right after it. */
  pending: RoomInfoPayload | null;
  /** Roster changes go out in order, each after a lookup of the newcomers' ids. */
  announcing: Promise<void>;
}

/**
 * Seed 004's generic signaling over a plain WebSocket: the upgrade's query joins the multiparty room `roomId`
 * under `userName`; the client gets `welcome {participants}`, then `participant-joined {userId, userName}` and
 * `participant-left {userId}`, and exchanges `offer`/`answer` `{targetUserId, sdp}` and `ice-candidate
 * {targetUserId, candidate}` (delivered with `fromUserId`). A seed-004 member is known by its `userId`; members of
 * the other protocols in the same room by their session ids.
 */
@Injectable()
export class GenericWsBinding implements PlainWsBinding {
  private readonly logger = new Logger('GenericWs');
  private readonly limiter: EventRateLimiter;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
    @Inject(RoomSessions) private readonly rooms: RoomSessions,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {
    this.limiter = new EventRateLimiter(config.limits, (outcome) => metrics.rateLimited.inc({ outcome }));
  }

  accept(ws: WebSocket, { address, claims, url }: PlainWsContext): void {
    let connection: GenericConnection | null = null;
    const link = new PlainWsLink(ws, 'generic', (event, payload) =>
      connection ? this.encode(connection, event, payload) : null,
    );
    if (this.readiness.isDraining) {
      this.metrics.refused('draining');
      return link.close();
    }
    const client = new Client(link, address, claims);
    const current: GenericConnection = {
      client,
      link,
      ws,
      joined: Promise.resolve(),
      known: null,
      pending: null,
      announcing: Promise.resolve(),
    };
    connection = current;
    const { searchParams } = url;
    const alias = searchParams.get('userId') ?? '';
    current.joined = this.lifecycle
      .connect(client, null, () => undefined)
      .then(async (connected) => {
        if (!connected) return;
        const body = validatePayload(clientSchemas['join-room'], {
          roomId: searchParams.get('roomId'),
          name: searchParams.get('userName') || alias,
        });
        const joined = await this.rooms.join(client, body, alias.slice(0, 128));
        await this.welcome(current, joined.clients);
      });
    current.joined.catch((error: unknown) => {
      this.sendError(current, error, 'join');
      ws.close(1008, 'Not admitted to the room');
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(current, data, isBinary));
    ws.once('close', () => this.lifecycle.disconnect(client));
  }

  private encode(connection: GenericConnection, event: string, payload: unknown): object | null {
    const fields = payload as Record<string, unknown>;
    if (event === 'room-info') {
      this.announce(connection, payload as RoomInfoPayload);
      return null;
    }
    if (event === 'error') return { type: 'error', message: fields.message };
    const signal = FROM_CORE[event];
    if (!signal) return null;
    const sender = String(fields.sender);
    return { type: signal.type, fromUserId: connection.known?.get(sender) ?? sender, [signal.field]: fields.data };
  }

  /** The members already in the room when it joined (itself left out). */
  private async welcome(connection: GenericConnection, members: { id: string; username: string }[]): Promise<void> {
    const self = connection.client.session?.id;
    const others = members.filter((member) => member.id !== self);
    const aliases = await this.rooms.aliasesOf(others.map((member) => member.id));
    connection.known = new Map(others.map((member) => [member.id, aliases.get(member.id) ?? member.id]));
    connection.link.sendFrame({
      type: 'welcome',
      participants: others.map((member) => ({ id: connection.known?.get(member.id), name: member.username })),
    });
    const pending = connection.pending;
    connection.pending = null;
    if (pending) this.announce(connection, pending);
  }

  /** A roster change becomes participant-joined / participant-left, in order. */
  private announce(connection: GenericConnection, info: RoomInfoPayload): void {
    if (!connection.known) {
      connection.pending = info;
      return;
    }
    connection.announcing = connection.announcing
      .then(async () => {
        const known = connection.known as Map<string, string>;
        const self = connection.client.session?.id;
        const present = info.clients.filter((member) => member.id !== self);
        const arrivals = present.filter((member) => !known.has(member.id));
        const aliases = await this.rooms.aliasesOf(arrivals.map((member) => member.id));
        const presentIds = new Set(present.map((member) => member.id));
        for (const [id, userId] of [...known]) {
          if (presentIds.has(id)) continue;
          known.delete(id);
          connection.link.sendFrame({ type: 'participant-left', userId });
        }
        for (const member of arrivals) {
          const userId = aliases.get(member.id) ?? member.id;
          known.set(member.id, userId);
          connection.link.sendFrame({ type: 'participant-joined', userId, userName: member.username });
        }
      })
      .catch((error: Error) => this.logger.warn(`Roster change not announced: ${error.message}`));
  }

  private receive(connection: GenericConnection, data: RawData, isBinary: boolean): void {
    const maxPayloadBytes = this.config.server.maxPayloadBytes;
    const message = admitFrame(this.limiter, connection.ws, { data, isBinary, maxPayloadBytes }, (error) =>
      connection.link.sendFrame({ type: 'error', message: error }),
    );
    if (!message) return;
    const { type } = message;
    const signal = typeof type === 'string' && Object.hasOwn(SIGNALS, type) ? SIGNALS[type as SignalType] : null;
    if (!signal) {
      const shown = typeof type === 'string' ? type.slice(0, 64) : String(type);
      return connection.link.sendFrame({ type: 'error', message: `Unknown message type: ${shown}` });
    }
    connection.joined
      .then(async () => {
        const { targetUserId } = validatePayload(targeted, message);
        const target = await this.rooms.memberCalled(connection.client, targetUserId);
        await this.rooms.relayToMember(connection.client, signal.event, target, message[signal.field] ?? null);
      })
      .catch((error: unknown) => this.sendError(connection, error, String(type)));
  }

  private sendError(connection: GenericConnection, error: unknown, event: string): void {
    connection.link.sendFrame({ type: 'error', message: toErrorPayload(error, event, this.logger).message });
  }
}
