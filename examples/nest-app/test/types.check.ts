// Compiled by `npm run typecheck` only: the packages' declarations are real types, so misuse fails to compile
// (were they `any`, each @ts-expect-error below would itself be an error).
import { RendezvousModule } from '@rendezvous/server';
import type { TestClient } from '@rendezvous/testing';
import { RendezvousClient, type ServerToClientEvents } from '@rendezvous/client';

export async function misuses(client: TestClient): Promise<void> {
  // @ts-expect-error: no such server event
  await client.waitFor('no-such-event');
  const peer = await client.waitFor('peer-joined');
  // @ts-expect-error: a peer's id is a string
  const id: number = peer.peer.id;
  // @ts-expect-error: join-flight takes a flight code
  await client.call('join-flight', { code: 'ABCDEF' });
  // @ts-expect-error: the HTTP prefix is a string
  RendezvousModule.forRoot({ http: { prefix: 1 } });
  // @ts-expect-error: the client's path option is a string
  new RendezvousClient('http://localhost', { path: 3 });
  const listener: ServerToClientEvents['registered'] = (payload) => payload.id.toUpperCase();
  void [id, listener];
}
