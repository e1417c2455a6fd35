/**
 * Two pages that use the seeds' own protocols as their web clients do (SEED-CLIENTS.md), with nothing but the
 * browser's WebSocket, fetch and RTCPeerConnection: served from their own origin (another local port), like a
 * frontend's dev server. Each keeps what happened in `window.state` for the scenario to read.
 */

/** DropSilk's frontend: room over HTTP (cross-origin, with preflight), attach-room, the host offers, a file. */
const DROPSILK_SCRIPT = `
const params = new URLSearchParams(location.search);
const server = params.get('server');
const state = { code: null, open: false, received: 0, done: false, log: [], errors: [] };
window.state = state;
const FILE_CHUNKS = 13, CHUNK = 16384;
async function rooms(path, body) {
  const response = await fetch(server + '/api/rooms' + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error('HTTP ' + response.status);
  return response.json();
}
(async () => {
  const summary = params.get('role') === 'host'
    ? await rooms('', { name: 'Hosting Hal' })
    : await rooms('/' + params.get('code') + '/join', { name: 'Guest Gina' });
  state.code = summary.roomCode;
  const ws = new WebSocket(server.replace(/^http/, 'ws'));
  const send = (message) => ws.send(JSON.stringify(message));
  let pc = null;
  const peer = () => {
    if (pc) return pc;
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.onicecandidate = (event) => { if (event.candidate) send({ type: 'signal', data: { candidate: event.candidate } }); };
    pc.ondatachannel = (event) => receive(event.channel);
    return pc;
  };
  const receive = (channel) => {
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => { state.open = true; };
    channel.onmessage = (event) => {
      if (typeof event.data === 'string') state.done = true; else state.received += event.data.byteLength;
    };
  };
  let queue = Promise.resolve();
  ws.onmessage = (event) => { queue = queue.then(() => handle(JSON.parse(event.data))).catch((e) => state.errors.push(String(e))); };
  async function handle(message) {
    state.log.push(message.type);
    if (message.type === 'registered') {
      send({ type: 'register-details', name: summary.self.name, localIpPrefix: 'unknown', localIp: 'unknown' });
      send({ type: 'attach-room', roomCode: summary.roomCode, participantId: summary.self.participantId });
    } else if (message.type === 'peer-joined' && summary.self.role === 'host' && !pc) {
      const channel = peer().createDataChannel('fileTransfer');
      channel.onopen = () => {
        state.open = true;
        for (let i = 0; i < FILE_CHUNKS; i++) channel.send(new Uint8Array(CHUNK).fill(i));
        channel.send('done');
      };
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'signal', data: { sdp: pc.localDescription } });
    } else if (message.type === 'signal' && message.data.sdp) {
      await peer().setRemoteDescription(message.data.sdp);
      if (message.data.sdp.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'signal', data: { sdp: pc.localDescription } });
      }
    } else if (message.type === 'signal' && message.data.candidate) {
      await peer().addIceCandidate(message.data.candidate);
    } else if (message.type === 'error') {
      state.errors.push(message.message);
    }
  }
})().catch((error) => state.errors.push(String(error)));
`;

/** Camus's client: ping for its id, room-info, profile, perfect-negotiation roles by id, a chat text. */
const CAMUS_SCRIPT = `
const params = new URLSearchParams(location.search);
const server = params.get('server');
const name = params.get('name');
const state = { id: null, open: false, texts: [], errors: [] };
window.state = state;
const ws = new WebSocket(server.replace(/^http/, 'ws') + '/room/' + params.get('room') + '/ws');
const send = (receiver, type, data) => ws.send(JSON.stringify({ receiver, type, data }));
const peers = new Map();
const peer = (id) => {
  let pc = peers.get(id);
  if (pc) return pc;
  pc = new RTCPeerConnection({ iceServers: [] });
  peers.set(id, pc);
  pc.onicecandidate = (event) => { if (event.candidate) send(id, 'icecandidate', event.candidate.toJSON()); };
  pc.ondatachannel = (event) => { event.channel.onopen = opened; };
  return pc;
};
const opened = () => {
  if (state.open) return;
  state.open = true;
  send('room', 'text', { from: name, time: Date.now(), text: 'hello from ' + name });
};
ws.onopen = () => send('ground control', 'ping', Date.now());
let queue = Promise.resolve();
ws.onmessage = (event) => { queue = queue.then(() => handle(JSON.parse(event.data))).catch((e) => state.errors.push(String(e))); };
async function handle(message) {
  if (message.type === 'pong') {
    state.id = message.receiver;
    send('ground control', 'get-ice-servers');
    send('ground control', 'get-room-info');
    send('ground control', 'profile', { username: name });
  } else if (message.type === 'room-info' && state.id) {
    // Like Camus's client, it makes peers only once its pong told it its id.
    for (const client of message.data.clients) {
      // Camus: the lower id is the polite side, so the higher one offers.
      if (client.id === state.id || peers.has(client.id) || state.id < client.id) continue;
      const pc = peer(client.id);
      pc.createDataChannel('chat').onopen = opened;
      await pc.setLocalDescription(await pc.createOffer());
      send(client.id, 'offer', pc.localDescription.toJSON());
    }
  } else if (message.type === 'offer') {
    const pc = peer(message.sender);
    await pc.setRemoteDescription(message.data);
    await pc.setLocalDescription(await pc.createAnswer());
    send(message.sender, 'answer', pc.localDescription.toJSON());
  } else if (message.type === 'answer') {
    await peer(message.sender).setRemoteDescription(message.data);
  } else if (message.type === 'icecandidate') {
    await peer(message.sender).addIceCandidate(message.data);
  } else if (message.type === 'text') {
    state.texts.push(message.data.text);
  } else if (message.type === 'error') {
    state.errors.push(String(message.data));
  }
}
`;

const page = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"></head><body><script>${script}</script></body></html>`;

export const SEED_PAGES: Record<string, string> = {
  '/dropsilk.html': page(DROPSILK_SCRIPT),
  '/camus.html': page(CAMUS_SCRIPT),
};

/** Bytes DropSilk's page sends: 13 chunks of 16 KB. */
export const DROPSILK_FILE_BYTES = 13 * 16_384;
