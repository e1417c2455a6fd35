import { createHash } from 'node:crypto';
import { generateFlightCode, randomBase36Id } from '@rendezvous/signaling';

export type RoomRole = 'host' | 'guest';
export type RoomStatus = 'waiting' | 'paired' | 'ready';

/** A transfer room as stored. */
export interface TransferRoomRecord {
  code: string;
  hostParticipantId: string;
  hostName: string;
  guestParticipantId: string | null;
  guestName: string | null;
  hostReady: boolean;
  guestReady: boolean;
  hostFileCount: number;
  guestFileCount: number;
  hostTotalBytes: number;
  guestTotalBytes: number;
  hostScreenShareActive: boolean;
  guestScreenShareActive: boolean;
  hostChatActive: boolean;
  guestChatActive: boolean;
  expiresAt: Date;
}

export interface ParticipantSummary {
  participantId: string;
  role: RoomRole;
  name: string;
  ready: boolean;
  fileCount: number;
  totalBytes: number;
}

/** DropSilk's RoomSummary, as one participant sees the room. */
export interface RoomSummary {
  roomCode: string;
  status: RoomStatus;
  shouldConnect: boolean;
  expiresAt: string;
  self: ParticipantSummary;
  peer: ParticipantSummary | null;
  screenShare: {
    activeParticipantId: string | null;
    requestedBySelf: boolean;
    requestedByPeer: boolean;
    isActive: boolean;
  };
  chat: { requestedBySelf: boolean; requestedByPeer: boolean; isActive: boolean };
}

/**
 * Durable transfer rooms. Every change is one conditional write (code, unexpired, participant, and for joins
 * an empty guest slot), so two replicas can never both take the guest slot. Each returns the room after the
 * change, or why it did not happen. Every successful call also slides the expiry to `expiresAt`.
 */
export interface TransferRoomStore {
  insert(room: TransferRoomRecord): Promise<'created' | 'code-taken'>;
  /** Deletes up to `limit` rooms expired at `now`: how many were found, and how many of those were deleted. */
  /** Up to `limit` rooms past expiry; the codes of those deleted (a room touched meanwhile is kept). */
  deleteExpired(now: Date, limit: number): Promise<{ found: number; deletedCodes: string[] }>;
  touch(code: string, participantId: string, expiresAt: Date, now: Date): Promise<TransferRoomRecord | null>;
  addGuest(
    code: string,
    guestId: string,
    guestName: string,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | 'not-found' | 'full'>;
  setReady(
    code: string,
    participantId: string,
    fileCount: number,
    totalBytes: number,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null>;
  setScreenShare(
    code: string,
    participantId: string,
    active: boolean,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null | 'peer-sharing'>;
  setChat(
    code: string,
    participantId: string,
    active: boolean,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null>;
  /**
   * DropSilk's departure of a transfer socket: a guest is removed; a host leaving hands the room to the guest;
   * a host alone deletes it. The participant left in the room, or null.
   */
  removeParticipant(code: string, participantId: string, expiresAt: Date, now: Date): Promise<string | null>;
}
export const TRANSFER_ROOM_STORE = Symbol('TRANSFER_ROOM_STORE');

/** DropSilk's error strings; `status` is the HTTP status DropSilk answers with. */
export class TransferRoomError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404,
    /** The code or participant id named no room or participant (a miss, counted against guessing). */
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'TransferRoomError';
  }
}
export const NOT_A_PARTICIPANT = 'Room not found or participant is not part of it.';
export const ROOM_NOT_FOUND = 'Room not found or expired';

const CODE_ATTEMPTS = 10;

/** A 12-character participant id, as DropSilk's. */
export function generateParticipantId(): string {
  return randomBase36Id(12);
}

/**
 * What a participant's peer sees as its id: a one-way digest of it, in the same 12-character form. A participant
 * id is its holder's credential (it attaches sockets and changes readiness), so it is only ever shown to its
 * holder; the peer still gets a stable id that changes when the peer does (DropSilk's client compares them).
 */
export function publicParticipantId(participantId: string): string {
  const digest = createHash('sha256').update(`rendezvous-participant:${participantId}`).digest();
  return BigInt(`0x${digest.subarray(0, 10).toString('hex')}`)
    .toString(36)
    .padStart(12, '0')
    .slice(-12);
}

function participant(room: TransferRoomRecord, role: RoomRole): ParticipantSummary {
  return role === 'host'
    ? {
        participantId: room.hostParticipantId,
        role,
        name: room.hostName,
        ready: room.hostReady,
        fileCount: room.hostFileCount,
        totalBytes: room.hostTotalBytes,
      }
    : {
        participantId: room.guestParticipantId ?? '',
        role,
        name: room.guestName ?? 'Guest',
        ready: room.guestReady,
        fileCount: room.guestFileCount,
        totalBytes: room.guestTotalBytes,
      };
}

/** The room as `participantId` sees it, or null when that id is not in the room. */
export function summarize(room: TransferRoomRecord, participantId: string): RoomSummary | null {
  const role: RoomRole | null =
    room.hostParticipantId === participantId ? 'host' : room.guestParticipantId === participantId ? 'guest' : null;
  if (!role) return null;
  const hasPeer = room.guestParticipantId !== null;
  const shouldConnect = hasPeer && (room.hostReady || room.guestReady);
  const activeParticipantId = room.hostScreenShareActive
    ? room.hostParticipantId
    : room.guestScreenShareActive
      ? room.guestParticipantId
      : null;
  const isHost = role === 'host';
  const self = participant(room, role);
  const peer = isHost ? (hasPeer ? participant(room, 'guest') : null) : participant(room, 'host');
  return {
    roomCode: room.code,
    status: !hasPeer ? 'waiting' : shouldConnect ? 'ready' : 'paired',
    shouldConnect,
    expiresAt: room.expiresAt.toISOString(),
    self,
    peer: peer && { ...peer, participantId: publicParticipantId(peer.participantId) },
    screenShare: {
      activeParticipantId:
        activeParticipantId === null || activeParticipantId === participantId
          ? activeParticipantId
          : publicParticipantId(activeParticipantId),
      requestedBySelf: isHost ? room.hostScreenShareActive : room.guestScreenShareActive,
      requestedByPeer: isHost ? room.guestScreenShareActive : room.hostScreenShareActive,
      isActive: activeParticipantId !== null,
    },
    chat: {
      requestedBySelf: isHost ? room.hostChatActive : room.guestChatActive,
      requestedByPeer: isHost ? room.guestChatActive : room.hostChatActive,
      isActive: room.hostChatActive || room.guestChatActive,
    },
  };
}

/** DropSilk's /api/rooms rules: pairing two people by room code, readiness, screen share and chat flags. */
export class TransferRoomService {
  constructor(
    private readonly store: TransferRoomStore,
    private readonly ttlMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(hostName: string): Promise<RoomSummary> {
    const now = this.clock();
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const room: TransferRoomRecord = {
        code: generateFlightCode(),
        hostParticipantId: generateParticipantId(),
        hostName,
        guestParticipantId: null,
        guestName: null,
        hostReady: false,
        guestReady: false,
        hostFileCount: 0,
        guestFileCount: 0,
        hostTotalBytes: 0,
        guestTotalBytes: 0,
        hostScreenShareActive: false,
        guestScreenShareActive: false,
        hostChatActive: false,
        guestChatActive: false,
        expiresAt: this.expiry(now),
      };
      if ((await this.store.insert(room)) === 'created') return summarize(room, room.hostParticipantId) as RoomSummary;
    }
    throw new TransferRoomError('Failed to allocate unique room code', 400);
  }

  async join(code: string, guestName: string): Promise<RoomSummary> {
    const now = this.clock();
    const guestId = generateParticipantId();
    const result = await this.store.addGuest(code, guestId, guestName, this.expiry(now), now);
    if (result === 'not-found') throw new TransferRoomError(ROOM_NOT_FOUND, 400, true);
    if (result === 'full') throw new TransferRoomError('Room already has two participants', 400);
    return summarize(result, guestId) as RoomSummary;
  }

  async get(code: string, participantId: string): Promise<RoomSummary> {
    const now = this.clock();
    return this.summaryOrNotFound(await this.store.touch(code, participantId, this.expiry(now), now), participantId);
  }

  async ready(code: string, participantId: string, fileCount: number, totalBytes: number): Promise<RoomSummary> {
    const now = this.clock();
    const room = await this.store.setReady(code, participantId, fileCount, totalBytes, this.expiry(now), now);
    return this.summaryOrNotFound(room, participantId);
  }

  async screenShare(code: string, participantId: string, active: boolean): Promise<RoomSummary> {
    const now = this.clock();
    const room = await this.store.setScreenShare(code, participantId, active, this.expiry(now), now);
    if (room === 'peer-sharing') throw new TransferRoomError('Peer is already screen sharing', 400);
    return this.summaryOrNotFound(room, participantId);
  }

  async chat(code: string, participantId: string, active: boolean): Promise<RoomSummary> {
    const now = this.clock();
    return this.summaryOrNotFound(
      await this.store.setChat(code, participantId, active, this.expiry(now), now),
      participantId,
    );
  }

  /** A participant's transfer socket closed. */
  async leave(code: string, participantId: string): Promise<string | null> {
    const now = this.clock();
    return this.store.removeParticipant(code, participantId, this.expiry(now), now);
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.ttlMs);
  }

  private summaryOrNotFound(room: TransferRoomRecord | null, participantId: string): RoomSummary {
    const summary = room ? summarize(room, participantId) : null;
    if (!summary) throw new TransferRoomError(NOT_A_PARTICIPANT, 404, true);
    return summary;
  }
}
