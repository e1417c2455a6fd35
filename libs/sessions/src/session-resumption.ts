import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResumeCredentials, SessionResumedPayload } from '@rendezvous/protocol';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { type ResumeCredential, type SessionRecord, SignalingService } from '@rendezvous/signaling';
import type { Client } from './client.js';
import { RoomSessions } from './room-sessions.js';

/** A session taken up on this replica, what its client is told about it, and its next credential. */
export interface Resumption {
  session: SessionRecord;
  announcement: SessionResumedPayload;
  /** Its next credential (the one presented is used up). */
  credential: ResumeCredential;
  /** The replica that held it live until now (told to let go), or null when it was parked. */
  takenFrom: string | null;
}

/**
 * A client taking its session up again with its credential, on whichever replica it reached: parked (its
 * replica drained or died) or still held elsewhere (takeover). Its client gets back what the live state kept:
 * its flight and flight peer, its transfer-room slot and relay peer, its multiparty room and call.
 */
@Injectable()
export class SessionResumption {
  private readonly logger = new Logger('Sessions');

  constructor(
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(RoomSessions) private readonly rooms: RoomSessions,
  ) {}

  /** Null when the credential is wrong or the grace is over (the client then starts a new session). */
  async resume(client: Client, credentials: ResumeCredentials): Promise<Resumption | null> {
    const taken = await this.signaling.resume(credentials.sessionId, credentials.token).catch((error: Error) => {
      this.logger.warn(`Resume of ${credentials.sessionId} failed: ${error.message}`);
      return null;
    });
    if (!taken) return null;
    const { session, flight, takenFrom } = taken.resumed;
    client.session = session;
    const peer = flight?.peer ? { id: flight.peer.id, name: flight.peer.name } : null;
    if (flight) {
      client.enterFlight(flight.code, flight.token);
      client.setFlightPeer(peer?.id ?? null);
    }
    const attached = await this.attachments.resume(session.id);
    if (attached) {
      client.attachment = attached.attachment;
      client.enterFlight(attached.attachment.code, `room-${attached.attachment.channel}`);
      client.setFlightPeer(attached.peerId);
    }
    await this.rooms.resume(client);
    const announcement: SessionResumedPayload = {
      id: session.id,
      flightCode: client.flight?.code ?? null,
      peer,
      roomId: client.room?.id ?? null,
      callId: client.call?.callId ?? null,
    };
    return { session, announcement, credential: taken.credential, takenFrom };
  }
}
