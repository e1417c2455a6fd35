import { Inject, Injectable, Optional } from '@nestjs/common';
import { attemptLimited, CLIENT_LIMITS, type ClientLimiter } from '@rendezvous/limits';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ErrorCode, type RoomAttachedPayload, type RoomChannel } from '@rendezvous/protocol';
import {
  connectionTypeBetween,
  type FlightMember,
  LIVE_STATE,
  type LiveState,
  type RoomChannelAttached,
  type SessionRecord,
  SIGNALING_DELIVERY,
  type SignalingDelivery,
  SignalingError,
} from '@rendezvous/signaling';
import { TransferRoomError, TransferRoomService } from './transfer-room.js';

/** One socket attached to a transfer room: which room, as whom, on which channel. */
export interface RoomAttachment {
  code: string;
  participantId: string;
  role: 'host' | 'guest';
  channel: RoomChannel;
  /** Live-state key of the channel's host/guest slots. */
  key: string;
}

/**
 * DropSilk's `attach-room`: a participant's socket takes its role's slot in one channel of the room (transfer,
 * screen-share or chat); once host and guest both hold a channel's slots they are told `peer-joined` and their
 * signals relay to each other, on whichever replicas they sit.
 */
@Injectable()
export class RoomAttachmentService {
  constructor(
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'sessions' | 'presence' | 'roomChannels'>,
    @Inject(SIGNALING_DELIVERY) private readonly delivery: SignalingDelivery,
    @Inject(TransferRoomService) private readonly rooms: TransferRoomService,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Optional() @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter | null = null,
  ) {}

  /**
   * `beforeAnnounce` runs once the slot is taken and before anyone is told, so the socket can relay at once. The
   * session takes the participant's name, unless its name is bound (`boundName`, a token's `name` claim).
   */
  async attach(
    session: SessionRecord,
    code: string,
    participantId: string,
    channel: RoomChannel,
    beforeAnnounce: (attachment: RoomAttachment, session: SessionRecord) => void,
    boundName: string | null = null,
  ): Promise<RoomAttachedPayload> {
    // A wrong room code or participant id is a missed guess, counted against the address like a flight code.
    const summary = await attemptLimited(
      this.limits,
      [['failed-joins', session.address]],
      () =>
        this.rooms.get(code, participantId).catch((error: unknown) => {
          throw error instanceof TransferRoomError ? new SignalingError(ErrorCode.RoomNotFound) : error;
        }),
      (error) => error instanceof SignalingError && error.code === ErrorCode.RoomNotFound,
    );
    const renamed = await this.live.sessions.renameSession(session.id, boundName ?? summary.self.name);
    if (!renamed) throw new SignalingError(ErrorCode.Unavailable);
    if (channel !== 'transfer') await this.live.presence.hideFromPresence(session.id);
    const attachment: RoomAttachment = {
      code: summary.roomCode,
      participantId: summary.self.participantId,
      role: summary.self.role,
      channel,
      key: `${summary.roomCode}:${channel}`,
    };
    const { other, displaced } = await this.occupy(session.id, attachment);
    // The participant attached again from another socket (a reload, a new connection): the old one lets go.
    if (displaced) this.delivery.roomSlotTaken(displaced, attachment.code, channel);
    beforeAnnounce(attachment, renamed);
    const attached: RoomAttachedPayload = { flightCode: attachment.code, role: attachment.role, peer: summary.peer };
    this.delivery.toSession(session.id, 'room-attached', attached);
    if (other) this.pair(renamed, attachment, other);
    this.delivery.presenceChanged([session.group]);
    return attached;
  }

  /**
   * The attached socket is gone: its channel peer is told, and a transfer departure updates the room. A socket
   * whose slot another socket of the same participant has taken changes nothing.
   */
  async detach(session: Pick<SessionRecord, 'id'>, attachment: RoomAttachment): Promise<void> {
    const { displaced, other } = await this.live.roomChannels.detachRoomChannel(
      attachment.key,
      attachment.role,
      session.id,
    );
    if (displaced) return;
    try {
      // The room changes before the peer is told, so a peer that reads it after `peer-left` sees the departure.
      if (attachment.channel === 'transfer') await this.rooms.leave(attachment.code, attachment.participantId);
    } finally {
      if (other) {
        this.delivery.flightPeerChanged(other.id, null);
        this.delivery.toSession(other.id, 'peer-left', { flightCode: attachment.code, peerId: session.id });
      }
    }
  }

  /** The room was deleted (room expiry): the slot is freed; both sides are told `room-expired` by their replicas. */
  async release(session: Pick<SessionRecord, 'id'>, attachment: RoomAttachment): Promise<void> {
    await this.live.roomChannels.detachRoomChannel(attachment.key, attachment.role, session.id);
  }

  /** A session of a dead replica: detach whatever room channel it held, as its own socket's close would have. */
  async reap(sessionId: string): Promise<void> {
    const stored = await this.live.roomChannels.attachmentOf(sessionId);
    if (stored) await this.detach({ id: sessionId }, JSON.parse(stored) as RoomAttachment);
  }

  /**
   * A resumed session's attachment, still held in the live state: its description and the session in the other
   * slot (its relay peer), with nothing announced. Null when it holds no slot any more.
   */
  async resume(sessionId: string): Promise<{ attachment: RoomAttachment; peerId: string | null } | null> {
    const stored = await this.live.roomChannels.attachmentOf(sessionId);
    if (!stored) return null;
    const attachment = JSON.parse(stored) as RoomAttachment;
    const { displaced, other } = await this.occupy(sessionId, attachment);
    if (displaced) this.delivery.roomSlotTaken(displaced, attachment.code, attachment.channel);
    return { attachment, peerId: other?.id ?? null };
  }

  /** Writes an attachment back after the live state lost it (Redis restart). */
  async restore(session: SessionRecord, attachment: RoomAttachment): Promise<void> {
    await this.occupy(session.id, attachment);
    if (attachment.channel !== 'transfer') await this.live.presence.hideFromPresence(session.id);
  }

  /** Takes the attachment's slot, storing its description with the session for a survivor's reaping. */
  private occupy(sessionId: string, attachment: RoomAttachment): Promise<RoomChannelAttached> {
    const { key, role } = attachment;
    return this.live.roomChannels.attachRoomChannel(
      key,
      role,
      sessionId,
      this.config.rooms.ttlMs,
      JSON.stringify(attachment),
    );
  }

  private pair(self: SessionRecord, attachment: RoomAttachment, other: FlightMember): void {
    const connectionType = connectionTypeBetween(self, other);
    this.delivery.flightPeerChanged(self.id, other.id);
    this.delivery.flightPeerChanged(other.id, self.id);
    const [host, guest] = attachment.role === 'host' ? [self, other] : [other, self];
    this.delivery.toSession(host.id, 'peer-joined', {
      flightCode: attachment.code,
      peer: { id: guest.id, name: guest.name },
      connectionType,
    });
    this.delivery.toSession(guest.id, 'peer-joined', {
      flightCode: attachment.code,
      peer: { id: host.id, name: host.name },
      connectionType,
    });
  }
}
