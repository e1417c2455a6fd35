/** DropSilk's pairing over HTTP: a host creates a transfer room and a guest joins it, as the real client does. */
export async function pairedTransferRoom(
  url: string,
  names: { host: string; guest: string } = { host: 'Host', guest: 'Guest' },
): Promise<{ code: string; hostId: string; guestId: string }> {
  const post = async (path: string, body: unknown) =>
    (await (
      await fetch(`${url}/api/rooms${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as { roomCode: string; self: { participantId: string } };
  const hosted = await post('', { name: names.host });
  const joined = await post(`/${hosted.roomCode}/join`, { name: names.guest });
  return { code: hosted.roomCode, hostId: hosted.self.participantId, guestId: joined.self.participantId };
}
