import { displayNameSchema, roomCodeSchema } from '@rendezvous/protocol';
import { z } from 'zod';

/** What DropSilk's transfer-room routes accept (also the request side of docs/openapi.yaml). */
const name = displayNameSchema(50);
const participantId = z.string().trim().min(1).max(64);
const roomCode = roomCodeSchema;

export const transferRoomSchemas = {
  code: z.object({ code: roomCode }),
  participant: z.object({ code: roomCode, participantId }),
  summaryQuery: z.object({ participantId }),
  nameBody: z.object({ name }),
  readyBody: z.object({
    fileCount: z.coerce.number().int().nonnegative().default(0),
    totalBytes: z.coerce.number().nonnegative().default(0),
  }),
  toggleBody: z.object({ active: z.boolean() }),
};
