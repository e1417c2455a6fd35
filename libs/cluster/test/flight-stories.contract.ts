import type { FlightStories, FlightStoryMember } from '@rendezvous/signaling';
import { afterAll, describe, expect, it } from 'vitest';

const member = (id: string, joinedAt: number): FlightStoryMember => ({
  id,
  name: `User ${id}`,
  replica: 'replica-a',
  joinedAt,
});

/** One behaviour for both flight-story stores: the in-memory and the Redis store run this same suite. */
export function describeFlightStoriesContract(
  name: string,
  create: () => Promise<{ stories: FlightStories; close(): Promise<void> }>,
): void {
  describe(`FlightStories contract: ${name}`, () => {
    const subject = create();
    afterAll(async () => (await subject).close());

    it('tells a story once, with both members, the connection type, signals and replicas moved to', async () => {
      const { stories } = await subject;
      await stories.begin('STORY1', member('a', 1_000), 60_000);
      await stories.joined('STORY1', member('b', 2_000), 'wan');
      await stories.addSignals('STORY1', 3);
      await stories.addSignals('STORY1', 2);
      await stories.moved('STORY1', 'replica-b');
      await stories.moved('STORY1', 'replica-b');
      const told = await stories.finish('STORY1');
      expect(told).toEqual({
        code: 'STORY1',
        createdAt: 1_000,
        members: expect.arrayContaining([member('a', 1_000), member('b', 2_000)]),
        connectionType: 'wan',
        signals: 5,
        movedTo: ['replica-b'],
      });
      expect(told?.members).toHaveLength(2);
      expect(await stories.finish('STORY1')).toBeNull();
    });

    it('never brings a told story back with a late count', async () => {
      const { stories } = await subject;
      await stories.begin('STORY2', member('a', 1_000), 60_000);
      await stories.finish('STORY2');
      await stories.addSignals('STORY2', 4);
      await stories.joined('STORY2', member('b', 2_000), 'lan');
      expect(await stories.finish('STORY2')).toBeNull();
    });

    it('starts a reused code afresh', async () => {
      const { stories } = await subject;
      await stories.begin('STORY3', member('a', 1_000), 60_000);
      await stories.addSignals('STORY3', 7);
      await stories.begin('STORY3', member('c', 5_000), 60_000);
      expect(await stories.finish('STORY3')).toMatchObject({
        createdAt: 5_000,
        signals: 0,
        members: [member('c', 5_000)],
      });
    });

    it('drops a story nobody ends after twice the flight TTL', async () => {
      const { stories } = await subject;
      await stories.begin('STORY4', member('a', 1_000), 100);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await stories.finish('STORY4')).toBeNull();
    });
  });
}
