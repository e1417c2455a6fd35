import type { FlightStories, FlightStoryMember, FlightStoryRecord } from '@rendezvous/signaling';
import { luaScript } from './lua-scripts.js';
import type { RedisClient } from './redis-keys.js';

/** How often the in-memory stories look for ones whose flight faded away unjoined or unended. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Standalone: one process sees the whole flight. Like the Redis twin, a story outlives its flight's longest idle
 * life by a margin (twice the flight TTL), so one nobody ends (a flight that expired unjoined) is dropped.
 */
export class MemoryFlightStories implements FlightStories {
  private readonly stories = new Map<string, FlightStoryRecord & { expiresAt: number }>();
  private lastSweep = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  async begin(code: string, creator: FlightStoryMember, ttlMs: number): Promise<void> {
    this.sweep();
    this.stories.set(code, {
      code,
      createdAt: creator.joinedAt,
      members: [creator],
      connectionType: null,
      signals: 0,
      movedTo: [],
      expiresAt: this.clock() + ttlMs * 2,
    });
  }

  /** How many stories are kept (for tests and metrics). */
  get size(): number {
    return this.stories.size;
  }

  private sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [code, story] of this.stories) if (story.expiresAt <= now) this.stories.delete(code);
  }

  private live(code: string): (FlightStoryRecord & { expiresAt: number }) | undefined {
    const story = this.stories.get(code);
    if (story && story.expiresAt <= this.clock()) {
      this.stories.delete(code);
      return undefined;
    }
    return story;
  }

  async joined(code: string, member: FlightStoryMember, connectionType: 'lan' | 'wan'): Promise<void> {
    const story = this.live(code);
    if (!story) return;
    story.members.push(member);
    story.connectionType = connectionType;
  }

  async addSignals(code: string, count: number): Promise<void> {
    const story = this.live(code);
    if (story) story.signals += count;
  }

  async moved(code: string, replica: string): Promise<void> {
    const story = this.live(code);
    if (story && !story.movedTo.includes(replica)) story.movedTo.push(replica);
  }

  async finish(code: string): Promise<FlightStoryRecord | null> {
    const story = this.live(code);
    this.stories.delete(code);
    if (!story) return null;
    const { expiresAt: _expiresAt, ...record } = story;
    return record;
  }
}

/**
 * Cluster: one hash per flight (`createdAt`, `signals`, `connectionType`, `m:<session id>` members,
 * `r:<replica>` for replicas members moved to).
 */
export class RedisFlightStories implements FlightStories {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    redis.defineCommand('rv_story_add', { numberOfKeys: 1, lua: luaScript('stories', 'add-if-exists') });
    redis.defineCommand('rv_story_take', { numberOfKeys: 1, lua: luaScript('stories', 'take') });
  }

  private key(code: string): string {
    return `${this.prefix}story:${code}`;
  }

  private run<T>(name: string, ...args: (string | number)[]): Promise<T> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<T>>)[name]!;
    return command.call(this.redis, ...args);
  }

  async begin(code: string, creator: FlightStoryMember, ttlMs: number): Promise<void> {
    const key = this.key(code);
    // A story outlives its flight's longest idle life by a margin; a flight nobody ends just fades away.
    await this.redis
      .multi()
      .del(key)
      .hset(key, 'createdAt', creator.joinedAt, 'signals', 0, `m:${creator.id}`, JSON.stringify(creator))
      .pexpire(key, ttlMs * 2)
      .exec();
  }

  async joined(code: string, member: FlightStoryMember, connectionType: 'lan' | 'wan'): Promise<void> {
    await this.run(
      'rv_story_add',
      this.key(code),
      'HSET',
      `m:${member.id}`,
      JSON.stringify(member),
      'connectionType',
      connectionType,
    );
  }

  async addSignals(code: string, count: number): Promise<void> {
    if (count > 0) await this.run('rv_story_add', this.key(code), 'HINCRBY', 'signals', count);
  }

  async moved(code: string, replica: string): Promise<void> {
    await this.run('rv_story_add', this.key(code), 'HSET', `r:${replica}`, 1);
  }

  async finish(code: string): Promise<FlightStoryRecord | null> {
    const flat = await this.run<string[]>('rv_story_take', this.key(code));
    if (!flat.length) return null;
    const fields = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    const members = [...fields.entries()]
      .filter(([field]) => field.startsWith('m:'))
      .map(([, value]) => JSON.parse(value) as FlightStoryMember);
    const connectionType = fields.get('connectionType');
    return {
      code,
      createdAt: Number(fields.get('createdAt')),
      members,
      connectionType: connectionType === 'lan' || connectionType === 'wan' ? connectionType : null,
      signals: Number(fields.get('signals') ?? 0),
      movedTo: [...fields.keys()].filter((field) => field.startsWith('r:')).map((field) => field.slice(2)),
    };
  }
}
