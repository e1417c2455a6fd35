/**
 * Redis memory of multiparty rooms and calls, with the production store: joins ROOMS rooms of SIZE members and
 * starts one call per room with every member in it, on a fresh throwaway redis-server, and reads `used_memory`.
 * Run after `npm run build`: `node dist/bench/redis-memory.js`.
 */
import { Redis } from 'ioredis';
import { RedisMultipartyState } from '../libs/cluster/src/redis-multiparty.state.js';
import { RedisServer } from '../test/support/redis-server.js';

const ROOMS = 1_000;
const SIZE = 6;

const server = await RedisServer.start();
const redis = new Redis(server.url);
try {
  const state = new RedisMultipartyState(redis, 'rv:');
  const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  const sessionId = (room: number, member: number) => `${room.toString(36).padStart(8, '0')}m${member}`;
  const before = await used();
  for (let room = 0; room < ROOMS; room++) {
    for (let member = 0; member < SIZE; member++) {
      await state.joinRoom(`room-${room}`, { id: sessionId(room, member), username: `Member ${member}` }, 100);
    }
  }
  const withRooms = await used();
  for (let room = 0; room < ROOMS; room++) {
    const started = await state.startCall(`c${room.toString(36).padStart(15, '0')}`, sessionId(room, 0), Date.now());
    if (started.status !== 'started') throw new Error('start-call failed');
    for (let member = 1; member < SIZE; member++) await state.joinCall(started.call.callId, sessionId(room, member));
  }
  const withCalls = await used();
  const perRoom = (withRooms - before) / ROOMS;
  process.stdout.write(
    `Redis memory, ${ROOMS} rooms of ${SIZE}: ${perRoom.toFixed(0)} B per room (${(perRoom / SIZE).toFixed(0)} B per member); ` +
      `${((withCalls - withRooms) / ROOMS).toFixed(0)} B per call of ${SIZE}\n`,
  );
} finally {
  redis.disconnect();
  await server.stop();
}
