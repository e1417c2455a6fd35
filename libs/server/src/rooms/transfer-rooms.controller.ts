import { transferRoomSchemas as schemas } from './transfer-room.schemas.js';
import {
  All,
  BadRequestException,
  Body,
  Logger,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Param,
  type PipeTransform,
  Post,
  Query,
  Req,
  UseFilters,
} from '@nestjs/common';
import { LimitExceededFilter } from '../http/http-limits.js';
import { attemptLimited, CLIENT_LIMITS, type ClientLimiter, LimitExceeded } from '@rendezvous/limits';
import type { Request } from 'express';
import { ClientAddress } from '../common/client-address.js';
import { formatIssues } from '@rendezvous/protocol';
import { type RoomSummary, TransferRoomError, TransferRoomService } from '@rendezvous/rooms';
import type { ZodType } from 'zod';

/** DropSilk's validation answer: 400 {"error":"Invalid request","issues":["path: message", ...]}. */
class DropSilkValidation<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new BadRequestException({ error: 'Invalid request', issues: formatIssues(result.error.issues, 'request') });
  }
}

const logger = new Logger('TransferRooms');

/** A guess that missed: an unknown or expired room code, or a participant id that is not in the room. */
const isMissedGuess = (error: unknown) => error instanceof TransferRoomError && error.notFound;

/** Room errors become DropSilk's bodies; anything else is logged and answered without internals. */
async function answer(work: () => Promise<RoomSummary>): Promise<RoomSummary> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LimitExceeded) throw error;
    if (error instanceof TransferRoomError) throw new HttpException({ error: error.message }, error.status);
    logger.error((error as Error)?.stack ?? String(error));
    throw new HttpException({ error: 'Server error processing your request' }, 500);
  }
}

/**
 * DropSilk's transfer-room API, with its shapes, status codes and error strings. Room codes and participant ids
 * are guessable by volume, so an address whose lookups keep missing is locked out for a while (429).
 */
@Controller('api/rooms')
@UseFilters(LimitExceededFilter)
export class TransferRoomsController {
  constructor(
    @Inject(TransferRoomService) private readonly rooms: TransferRoomService,
    @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
  ) {}

  @Post()
  async create(@Req() request: Request, @Body(new DropSilkValidation(schemas.nameBody)) body: { name: string }) {
    await this.limits.take('rooms-created', this.addresses.of(request));
    return answer(() => this.rooms.create(body.name));
  }

  @Get(':code')
  get(
    @Req() request: Request,
    @Param(new DropSilkValidation(schemas.code)) params: { code: string },
    @Query(new DropSilkValidation(schemas.summaryQuery)) query: { participantId: string },
  ) {
    return this.guarded(request, () => this.rooms.get(params.code, query.participantId));
  }

  @Post(':code/join')
  @HttpCode(200)
  join(
    @Req() request: Request,
    @Param(new DropSilkValidation(schemas.code)) params: { code: string },
    @Body(new DropSilkValidation(schemas.nameBody)) body: { name: string },
  ) {
    return this.guarded(request, () => this.rooms.join(params.code, body.name));
  }

  @Post(':code/participants/:participantId/ready')
  @HttpCode(200)
  ready(
    @Req() request: Request,
    @Param(new DropSilkValidation(schemas.participant)) params: { code: string; participantId: string },
    @Body(new DropSilkValidation(schemas.readyBody)) body: { fileCount: number; totalBytes: number },
  ) {
    return this.guarded(request, () =>
      this.rooms.ready(params.code, params.participantId, body.fileCount, body.totalBytes),
    );
  }

  @Post(':code/participants/:participantId/screen-share')
  @HttpCode(200)
  screenShare(
    @Req() request: Request,
    @Param(new DropSilkValidation(schemas.participant)) params: { code: string; participantId: string },
    @Body(new DropSilkValidation(schemas.toggleBody)) body: { active: boolean },
  ) {
    return this.guarded(request, () => this.rooms.screenShare(params.code, params.participantId, body.active));
  }

  @Post(':code/participants/:participantId/chat')
  @HttpCode(200)
  chat(
    @Req() request: Request,
    @Param(new DropSilkValidation(schemas.participant)) params: { code: string; participantId: string },
    @Body(new DropSilkValidation(schemas.toggleBody)) body: { active: boolean },
  ) {
    return this.guarded(request, () => this.rooms.chat(params.code, params.participantId, body.active));
  }

  /** A call that names a room (and a participant): refused while its address is locked out; a miss counts. */
  private guarded(request: Request, work: () => Promise<RoomSummary>): Promise<RoomSummary> {
    const address = this.addresses.of(request);
    return answer(() => attemptLimited(this.limits, [['failed-joins', address]], work, isMissedGuess));
  }

  @All('*path')
  notFound(): never {
    throw new HttpException({ error: 'Room endpoint not found.' }, 404);
  }
}
