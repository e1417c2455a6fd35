import { Controller, Get, Inject } from '@nestjs/common';
import { withTimeout } from '@rendezvous/observability';
import { MultipartyRoomService, type RoomOverview } from '@rendezvous/rooms';
import { SessionLifecycle } from '@rendezvous/sessions';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';

/** Rooms listed at most (the rest are left out of these pages, not counted wrong: `rooms` counts what is listed). */
const LISTED_ROOMS = 1_000;

interface RoomDetails {
  roomId: string;
  participantCount: number;
  participants: { id: string; name: string; joinedAt: number | null }[];
}

/** A member as seed 004 lists it: by its `userId` when it came with one, else by its session id. */
const details = ({ roomId, members }: RoomOverview): RoomDetails => ({
  roomId,
  participantCount: members.length,
  participants: members.map(({ id, alias, username, joinedAt }) => ({ id: alias ?? id, name: username, joinedAt })),
});

/**
 * Seed 004's status pages, cluster-wide: the multiparty rooms with their members (of every protocol). Beside,
 * not instead of, `/health/live` and `/health/ready`, which probes use.
 */
@Controller()
export class GenericStatusController {
  constructor(
    @Inject(MultipartyRoomService) private readonly rooms: MultipartyRoomService,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'replicas'>,
    @Inject(SessionLifecycle) private readonly sessions: SessionLifecycle,
  ) {}

  @Get('health')
  async health() {
    const [rooms, counts] = await Promise.all([
      this.rooms.overview(LISTED_ROOMS),
      withTimeout(this.live.replicas.counts(Date.now()), 1_000, 'live state did not answer').catch(() => null),
    ]);
    return {
      status: 'ok',
      rooms: rooms.length,
      connections: counts?.sessions ?? this.sessions.clientCount(),
      roomDetails: rooms.map(details),
      timestamp: new Date().toISOString(),
    };
  }

  @Get('rooms')
  async list() {
    return { rooms: (await this.rooms.overview(LISTED_ROOMS)).map(details) };
  }
}
