import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections, subscribeExpiredRooms } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { FlightSessions } from '@rendezvous/sessions';

/** In a cluster the scheduler deletes expired transfer rooms; each replica tells its own attached clients. */
@Injectable()
export class ExpiredRoomsListener implements OnApplicationBootstrap {
  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(FlightSessions) private readonly flights: FlightSessions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    subscribeExpiredRooms(this.redis, this.config.redis.keyPrefix, new Logger('Rooms'), (codes) =>
      this.flights.closeExpiredRooms(codes),
    );
  }
}
