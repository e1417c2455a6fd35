import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections, subscribeExpiredRooms } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { SignalingGateway } from '../signaling/signaling.gateway.js';

/** In a cluster the scheduler deletes expired transfer rooms; each replica tells its own attached sockets. */
@Injectable()
export class ExpiredRoomsListener implements OnApplicationBootstrap {
  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(SignalingGateway) private readonly gateway: SignalingGateway,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    subscribeExpiredRooms(this.redis, this.config.redis.keyPrefix, new Logger('Rooms'), (codes) =>
      this.gateway.closeExpiredRooms(codes),
    );
  }
}
