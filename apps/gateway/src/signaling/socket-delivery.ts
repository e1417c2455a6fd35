import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { InterServerEvents, RoomChannel, ServerToClientEvents } from '@rendezvous/protocol';
import { LIVE_STATE_STORE, type PresenceStore, type SignalingDelivery } from '@rendezvous/signaling';
import type { Server, Socket } from 'socket.io';
import type { SocketData } from './socket-data.js';

export type RendezvousServer = Server<Record<string, never>, ServerToClientEvents, InterServerEvents, SocketData>;
export type RendezvousSocket = Socket<Record<string, never>, ServerToClientEvents, InterServerEvents, SocketData>;

export const sessionRoom = (sessionId: string) => `s:${sessionId}`;

/** Presence changes that arrive close together are answered with one read per network. */
const PRESENCE_COALESCE_MS = 10;

/**
 * Delivers domain events through Socket.IO rooms (the Redis adapter carries them to other replicas) and keeps
 * this replica's sockets' presence lists current.
 */
@Injectable()
export class SocketDelivery implements SignalingDelivery {
  private readonly logger = new Logger('Presence');
  private server: RendezvousServer | null = null;
  /** This replica's sockets by network group: local bookkeeping only, never cluster truth. */
  private readonly localByGroup = new Map<string, Set<RendezvousSocket>>();
  private readonly localBySession = new Map<string, RendezvousSocket>();
  private readonly pendingGroups = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(LIVE_STATE_STORE) private readonly store: PresenceStore,
  ) {}

  attach(server: RendezvousServer): void {
    this.server = server;
    server.on('presence-changed', (groups: unknown) => {
      if (Array.isArray(groups)) this.schedule(groups.filter((g): g is string => typeof g === 'string'));
    });
    server.on('flight-peer', (link: { sessionId?: unknown; peerId?: unknown }) => {
      if (typeof link?.sessionId === 'string') {
        this.applyFlightPeer(link.sessionId, typeof link.peerId === 'string' ? link.peerId : null);
      }
    });
    server.on('room-slot-taken', (taken: { sessionId?: unknown; roomCode?: unknown; channel?: unknown }) => {
      if (typeof taken?.sessionId === 'string' && typeof taken.roomCode === 'string') {
        this.applyRoomSlotTaken(taken.sessionId, taken.roomCode, taken.channel as RoomChannel);
      }
    });
  }

  roomSlotTaken(sessionId: string, roomCode: string, channel: RoomChannel): void {
    if (this.applyRoomSlotTaken(sessionId, roomCode, channel)) return;
    if (this.config.mode === 'cluster')
      this.server?.serverSideEmit('room-slot-taken', { sessionId, roomCode, channel });
  }

  /** The socket forgets the attachment (so it relays nothing more and its close changes nothing) and is told. */
  private applyRoomSlotTaken(sessionId: string, roomCode: string, channel: RoomChannel): boolean {
    const socket = this.localBySession.get(sessionId);
    if (!socket) return false;
    const attachment = socket.data.attachment;
    if (attachment?.code === roomCode && attachment.channel === channel) {
      socket.data.attachment = null;
      socket.data.flight = null;
      socket.data.peerId = null;
      socket.emit('room-detached', { roomCode, channel, reason: 'attached-elsewhere' });
    }
    return true;
  }

  flightPeerChanged(sessionId: string, peerId: string | null): void {
    if (this.applyFlightPeer(sessionId, peerId)) return;
    if (this.config.mode === 'cluster') this.server?.serverSideEmit('flight-peer', { sessionId, peerId });
  }

  private applyFlightPeer(sessionId: string, peerId: string | null): boolean {
    const socket = this.localBySession.get(sessionId);
    if (!socket) return false;
    socket.data.peerId = peerId;
    return true;
  }

  toSession<E extends keyof ServerToClientEvents>(
    sessionId: string,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    // Socket.IO's typed emit cannot follow a generic event name; the payload type is checked by the signature.
    const target = this.server
      ? (this.sessionTarget(sessionId) as { emit(event: string, payload: unknown): boolean })
      : null;
    target?.emit(event, payload);
  }

  /** The session's socket when this replica holds it (no round trip through Redis), its session room otherwise. */
  sessionTarget(sessionId: string): Pick<RendezvousSocket, 'emit'> {
    return this.localBySession.get(sessionId) ?? (this.server as RendezvousServer).to(sessionRoom(sessionId));
  }

  presenceChanged(groups: string[]): void {
    if (groups.length === 0) return;
    this.schedule(groups);
    if (this.config.mode === 'cluster') this.server?.serverSideEmit('presence-changed', groups);
  }

  trackSocket(socket: RendezvousSocket): void {
    const session = socket.data.session;
    if (!session) return;
    const group = session.group;
    this.localBySession.set(session.id, socket);
    let sockets = this.localByGroup.get(group);
    if (!sockets) this.localByGroup.set(group, (sockets = new Set()));
    sockets.add(socket);
  }

  untrackSocket(socket: RendezvousSocket): void {
    const session = socket.data.session;
    if (!session) return;
    if (this.localBySession.get(session.id) === socket) this.localBySession.delete(session.id);
    const group = session.group;
    const sockets = this.localByGroup.get(group);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.localByGroup.delete(group);
  }

  /** This replica's sockets with a session, by session id (a copy). */
  localSockets(): Map<string, RendezvousSocket> {
    return new Map(this.localBySession);
  }

  localGroups(): string[] {
    return [...this.localByGroup.keys()];
  }

  private schedule(groups: string[]): void {
    // Not filtered by local sockets yet: a connecting socket is tracked only after its session is stored.
    for (const group of groups) this.pendingGroups.add(group);
    if (this.pendingGroups.size > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), PRESENCE_COALESCE_MS);
    }
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    const groups = [...this.pendingGroups];
    this.pendingGroups.clear();
    await Promise.all(groups.map((group) => this.pushGroup(group)));
  }

  /** DropSilk's rules: a list excludes its reader and members of full flights; those members get an empty list. */
  private async pushGroup(group: string): Promise<void> {
    const sockets = this.localByGroup.get(group);
    if (!sockets) return;
    let entries;
    try {
      entries = await this.store.listNetwork(group);
    } catch (error) {
      this.logger.warn(`Presence of ${group} not refreshed: ${(error as Error).message}`);
      return;
    }
    const busy = new Set(entries.filter((entry) => entry.busy).map((entry) => entry.id));
    const available = entries.filter((entry) => !entry.busy);
    const limit = this.config.presence.listLimit;
    for (const socket of sockets) {
      const selfId = socket.data.session?.id;
      if (!selfId) continue;
      const users = busy.has(selfId)
        ? []
        : available
            .filter((entry) => entry.id !== selfId)
            .slice(0, limit)
            .map(({ id, name }) => ({ id, name }));
      socket.emit('users-on-network-update', { users });
    }
  }
}
