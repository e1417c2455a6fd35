import type { FlightMember, LeaveFlightResult } from '@rendezvous/signaling';
import type { LuaReply } from '../lua-scripts.js';

/** Flight members in a live-state reply: four fields each (id, name, address, group) from `from` on. */
export function members(flat: LuaReply[], from: number): FlightMember[] {
  const list: FlightMember[] = [];
  for (let i = from; i + 3 < flat.length; i += 4) {
    list.push({
      id: String(flat[i]),
      name: String(flat[i + 1]),
      address: String(flat[i + 2]),
      group: String(flat[i + 3]),
    });
  }
  return list;
}

export function parseLeave(flat: LuaReply[]): LeaveFlightResult {
  return { code: String(flat[0]), token: String(flat[1]), remaining: members(flat, 2) };
}
