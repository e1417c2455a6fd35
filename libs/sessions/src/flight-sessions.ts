import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { SessionDelivery } from '@rendezvous/delivery';
import {
  type AttachRoomPayload,
  ErrorCode,
  type PeerJoinedPayload,
  type RegisteredPayload,
  type RoomAttachedPayload,
  type SignalReceipt,
} from '@rendezvous/protocol';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { SignalingError, SignalingService } from '@rendezvous/signaling';
import type { Client } from './client.js';
import { mapReceipt, type Receipt, receiptOf } from './relay-receipt.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SESSION_METRICS, type SessionMetrics } from './session-metrics.js';

/**
 * A client's name, flights (DropSilk: create, join, invite, leave) and transfer-room attachment, and the
 * `signal` relay between the two members of a flight or room channel, for every binding.
 */
@Injectable()
export class FlightSessions {
  private readonly logger = new Logger('Flights');

  constructor(
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(SessionDelivery) private readonly delivery: SessionDelivery,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(SESSION_METRICS) private readonly metrics: SessionMetrics,
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
  ) {}

  async rename(client: Client, requested: string): Promise<RegisteredPayload> {
    const session = await client.currentSession();
    const renamed = await this.signaling.rename(session, client.nameFor(requested));
    client.session = renamed;
    return { id: renamed.id, name: renamed.name };
  }

  async createFlight(client: Client): Promise<string> {
    const session = await client.currentSession();
    if (client.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    const { code, token } = await this.signaling.createFlight(session);
    client.enterFlight(code, token);
    this.metrics.count('flight_created');
    return code;
  }

  async joinFlight(client: Client, code: string): Promise<PeerJoinedPayload> {
    const session = await client.currentSession();
    if (client.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    const joined = await this.signaling.joinFlight(session, code, (token) => client.enterFlight(code, token));
    this.metrics.count('flight_joined');
    return {
      flightCode: joined.code,
      peer: { id: joined.peer.id, name: joined.peer.name },
      connectionType: joined.connectionType,
    };
  }

  /** Invitations pop up on someone else's screen: a sender gets INVITES_PER_MINUTE of them, not a stream. */
  async invite(client: Client, inviteeId: string, code: string): Promise<void> {
    const session = await client.currentSession();
    const now = Date.now();
    const recent = client.invitesSentAt.filter((sentAt) => now - sentAt < 60_000);
    const { invitesPerMinute } = this.config.limits;
    if (recent.length >= invitesPerMinute) {
      throw new SignalingError(ErrorCode.RateLimited, `Too many invitations; at most ${invitesPerMinute} a minute`);
    }
    await this.signaling.invite(session, inviteeId, code);
    client.invitesSentAt = [...recent, now];
  }

  /** Leaves its flight or transfer-room attachment; the code left, if any. */
  async leaveFlight(client: Client): Promise<string | null> {
    const session = await client.currentSession();
    const attachment = client.attachment;
    if (attachment) {
      await this.attachments.detach(session, attachment);
      client.attachment = null;
      client.exitFlight();
      return attachment.code;
    }
    const left = await this.signaling.leaveFlight(session, client.signalsInFlight());
    client.exitFlight();
    return left?.code ?? null;
  }

  /**
   * DropSilk's `attach-room`. Attaching elsewhere leaves the current slot; attaching the same slot again
   * (DropSilk's client re-sends it while a share lasts) keeps it and only re-announces the pair, as DropSilk's
   * backend does.
   */
  async attachRoom(client: Client, body: AttachRoomPayload): Promise<RoomAttachedPayload> {
    const session = await client.currentSession();
    client.assertMayAttach(body.roomCode);
    if (client.flight && !client.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    const current = client.attachment;
    const same =
      current?.code === body.roomCode &&
      current.participantId === body.participantId &&
      current.channel === body.channel;
    if (current && !same) await this.attachments.detach(session, current);
    return this.attachments.attach(
      session,
      body.roomCode,
      body.participantId,
      body.channel,
      (attachment, renamed) => {
        client.session = renamed;
        client.attachment = attachment;
        client.enterFlight(attachment.code, `room-${attachment.channel}`);
      },
      client.claims?.name ?? null,
    );
  }

  /**
   * DropSilk's `signal`, the hot path: no live-state read. The peer is the client's own `peerId`, which only the
   * core changes; delivery by session id reaches it on whichever replica holds it.
   */
  relaySignal(client: Client, data: unknown, requestedSeq?: number): Receipt<SignalReceipt> {
    const { flight, session, peerId } = client;
    if (!flight || !session) throw new SignalingError(ErrorCode.NotInFlight);
    const flightCode = flight.code;
    if (!peerId) return { flightCode, forwarded: false };
    const seq = client.nextRelaySeq(peerId, requestedSeq);
    client.signalsSent++;
    const delivery = this.delivery.toSession(peerId, 'signal', { from: session.id, data, seq });
    return mapReceipt(receiptOf(delivery, seq), (receipt) => ({ flightCode, ...receipt }));
  }

  /**
   * Transfer rooms deleted by room expiry: this replica's clients attached to them are told `room-expired` and lose
   * their attachment (they stay connected, free to attach or fly again).
   */
  async closeExpiredRooms(codes: string[]): Promise<void> {
    const expired = new Set(codes);
    const released: Promise<void>[] = [];
    for (const client of this.lifecycle.clients()) {
      const { attachment, session } = client;
      if (!attachment || !session || !expired.has(attachment.code)) continue;
      client.attachment = null;
      client.exitFlight();
      client.send('room-expired', { roomCode: attachment.code });
      released.push(
        this.attachments
          .release(session, attachment)
          .catch((error: Error) => this.logger.warn(`Expired room ${attachment.code} slot kept: ${error.message}`)),
      );
    }
    await Promise.all(released);
  }
}
