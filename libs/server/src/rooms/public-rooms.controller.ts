import { Controller, Get, HttpException, Inject, Logger } from '@nestjs/common';
import { MultipartyRoomService, type PublicRoom } from '@rendezvous/rooms';

/**
 * Public multiparty rooms (Camus' /public): id, name, live member count and whether a password is needed. Never
 * a password, its hash, or who is inside. Registered before the transfer-room routes, whose `:code` would match.
 */
@Controller('api/rooms/public')
export class PublicRoomsController {
  private readonly logger = new Logger('PublicRooms');

  constructor(@Inject(MultipartyRoomService) private readonly rooms: MultipartyRoomService) {}

  @Get()
  async list(): Promise<{ rooms: PublicRoom[] }> {
    try {
      return { rooms: await this.rooms.publicRooms() };
    } catch (error) {
      this.logger.error((error as Error)?.stack ?? String(error));
      throw new HttpException({ error: 'Server error processing your request' }, 500);
    }
  }
}
