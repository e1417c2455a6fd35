// The Rendezvous demo: pair by flight code (or see who is on your network), chat and send a file over a WebRTC
// data channel; join a multiparty room with video. Built on the client library (libs/client).
import { RendezvousClient } from '/demo/client/index.js';

const params = new URLSearchParams(location.search);
/** `?relay=1` forces TURN (iceTransportPolicy 'relay'), to try the configured TURN servers. */
const relayOnly = params.get('relay') === '1';
const CHUNK_BYTES = 16 * 1024;

const client = new RendezvousClient(location.origin);
const $ = (id) => document.getElementById(id);
const state = { open: false, messages: [], files: [], peer: null, errors: [] };
let pc = null;
let channel = null;
let negotiation = null;
let hosting = false;
let incomingFile = null;

function log(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('log').prepend(item);
}
function fail(error) {
  state.errors.push(String(error?.message ?? error));
  log(`error: ${error?.code ? `${error.code}: ` : ''}${error?.message ?? error}`);
}
function show(text, from) {
  state.messages.push({ from, text });
  const item = document.createElement('li');
  item.textContent = `${from}: ${text}`;
  $('chat').append(item);
}

/** For tests and the curious: the data channel's selected candidate pair ('host', 'srflx' or 'relay'). */
async function selectedCandidateType() {
  if (!pc) return null;
  const stats = await pc.getStats();
  for (const report of stats.values()) {
    if (report.type === 'transport' && report.selectedCandidatePairId) {
      const pair = stats.get(report.selectedCandidatePairId);
      return stats.get(pair?.localCandidateId)?.candidateType ?? null;
    }
  }
  return null;
}
window.rendezvousDemo = { client, state, selectedCandidateType, sendChat: (text) => sendChat(text) };

client.on('connect', () => ($('connection').textContent = '(connected)'));
client.on('disconnect', () => ($('connection').textContent = '(reconnecting…)'));
client.on('registered', (session) => {
  $('self').textContent = `${session.name} (${session.id})`;
});
client.on('users-on-network-update', ({ users }) => {
  $('network').textContent = users.length ? users.map((user) => user.name).join(', ') : 'nobody';
});
client.on('error', (error) => log(`server: ${error.code}: ${error.message}`));
client.on('server-shutdown', ({ message }) => log(message));

$('create-flight').onclick = async () => {
  try {
    const { flightCode } = await client.createFlight();
    hosting = true;
    $('flight-code').textContent = flightCode;
    log(`flight ${flightCode} created: give this code to the other person`);
  } catch (error) {
    fail(error);
  }
};
$('join-flight').onclick = async () => {
  try {
    hosting = false;
    await client.joinFlight($('join-code').value.trim());
  } catch (error) {
    fail(error);
  }
};

client.on('peer-joined', ({ flightCode, peer, connectionType }) => {
  state.peer = peer;
  $('peer-status').textContent = `${peer.name}, ${connectionType}, connecting…`;
  log(`${peer.name} is in flight ${flightCode}`);
  startPeerConnection(!hosting);
});
client.on('peer-left', () => {
  $('peer-status').textContent = 'left';
  closePeerConnection();
});

function startPeerConnection(polite) {
  closePeerConnection();
  pc = new RTCPeerConnection({ iceServers: client.iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
  // The host opens the channel (its offer starts the negotiation); the guest receives it.
  if (!polite) useChannel(pc.createDataChannel('rendezvous'));
  else pc.ondatachannel = ({ channel: incoming }) => useChannel(incoming);
  pc.onconnectionstatechange = () => log(`peer connection ${pc?.connectionState}`);
  pc.onsignalingstatechange = () => log(`signaling ${pc?.signalingState}`);
  pc.onicegatheringstatechange = () => log(`ICE gathering ${pc?.iceGatheringState}`);
  negotiation = client.negotiateWithFlightPeer(pc, polite, fail);
}

function useChannel(opened) {
  channel = opened;
  channel.binaryType = 'arraybuffer';
  channel.onopen = async () => {
    state.open = true;
    $('peer-status').textContent =
      `${state.peer?.name ?? 'peer'}, connected (${(await selectedCandidateType()) ?? '?'})`;
    log('data channel open');
  };
  channel.onclose = () => (state.open = false);
  channel.onmessage = (event) => receive(event.data);
}

function closePeerConnection() {
  negotiation?.stop();
  negotiation = null;
  channel?.close();
  pc?.close();
  pc = null;
  channel = null;
  state.open = false;
}

function sendChat(text) {
  if (!channel || channel.readyState !== 'open') throw new Error('not connected to a peer');
  channel.send(JSON.stringify({ type: 'chat', text }));
  show(text, 'me');
}

$('chat-form').onsubmit = (event) => {
  event.preventDefault();
  try {
    const text = $('chat-input').value.trim();
    if (text) sendChat(text);
    $('chat-input').value = '';
  } catch (error) {
    fail(error);
  }
};

$('file-send').onclick = async () => {
  const file = $('file-input').files?.[0];
  if (!file || !channel || channel.readyState !== 'open') return;
  channel.send(JSON.stringify({ type: 'file-start', name: file.name, size: file.size }));
  const bytes = new Uint8Array(await file.arrayBuffer());
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    while (channel.bufferedAmount > 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 20));
    channel.send(bytes.slice(offset, offset + CHUNK_BYTES));
  }
  channel.send(JSON.stringify({ type: 'file-end' }));
  log(`sent ${file.name} (${file.size} bytes)`);
};

function receive(data) {
  if (typeof data !== 'string') {
    incomingFile?.chunks.push(data);
    return;
  }
  const message = JSON.parse(data);
  if (message.type === 'chat') show(message.text, state.peer?.name ?? 'peer');
  if (message.type === 'file-start') incomingFile = { name: message.name, size: message.size, chunks: [] };
  if (message.type === 'file-end' && incomingFile) {
    const blob = new Blob(incomingFile.chunks);
    state.files.push({ name: incomingFile.name, size: blob.size });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = incomingFile.name;
    link.textContent = `${incomingFile.name} (${blob.size} bytes)`;
    const item = document.createElement('li');
    item.append('file: ', link);
    $('chat').append(item);
    incomingFile = null;
  }
}

// Multiparty room: one RTCPeerConnection per other member (a full mesh), each with a data channel for chat and
// video when a camera is available. Of each pair, the member with the smaller id opens the channel and offers.
const members = new Map();
let localStream = null;
state.room = { open: [], messages: [] };

$('join-room').onclick = async () => {
  try {
    if (!localStream) {
      localStream = await navigator.mediaDevices?.getUserMedia({ video: true, audio: true }).catch(() => null);
      if (localStream) addVideo('me', localStream, true);
      else log('no camera: joining without video');
    }
    const joined = await client.joinRoom({ roomId: $('room-id').value.trim() || 'lobby' });
    log(`in room ${joined.roomId} with ${joined.clients.length - 1} others`);
  } catch (error) {
    fail(error);
  }
};
$('leave-room').onclick = async () => {
  await client.leaveRoom().catch(fail);
  for (const id of [...members.keys()]) dropMember(id);
};

client.on('room-info', ({ clients }) => {
  $('members').textContent = clients.map((member) => member.username).join(', ');
  const selfId = client.session?.id;
  const present = new Set(clients.map((member) => member.id));
  for (const id of [...members.keys()]) if (!present.has(id)) dropMember(id);
  for (const member of clients) if (member.id !== selfId) memberOf(member.id);
});
// An offer can come before the room-info that lists its sender: start that member's connection with it.
client.on('offer', ({ sender, data }) => {
  if (!members.has(sender)) void memberOf(sender).negotiation.receive(data);
});

function memberOf(id) {
  const existing = members.get(id);
  if (existing) return existing;
  const offering = (client.session?.id ?? '') < id;
  const memberPc = new RTCPeerConnection({ iceServers: client.iceServers });
  const member = { pc: memberPc, channel: null, negotiation: null };
  members.set(id, member);
  memberPc.ontrack = ({ streams }) => addVideo(id, streams[0], false);
  const addTracks = () => {
    for (const track of localStream?.getTracks() ?? []) memberPc.addTrack(track, localStream);
  };
  if (offering) {
    useMemberChannel(id, memberPc.createDataChannel('room'));
    addTracks();
    if (!localStream) memberPc.addTransceiver('video', { direction: 'recvonly' });
  } else {
    memberPc.ondatachannel = ({ channel }) => {
      useMemberChannel(id, channel);
      addTracks();
    };
  }
  member.negotiation = client.negotiateWithMember(memberPc, id, fail);
  return member;
}

function useMemberChannel(id, channel) {
  members.get(id).channel = channel;
  channel.onopen = () => {
    state.room.open.push(id);
    log(`room data channel open with ${id}`);
  };
  channel.onclose = () => (state.room.open = state.room.open.filter((other) => other !== id));
  channel.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    if (message.type === 'chat') {
      state.room.messages.push({ from: id, text: message.text });
      show(message.text, `room ${id}`);
    }
  };
}

/** Sends a chat message to every member whose data channel is open; returns how many got it. */
function sendRoom(text) {
  let sent = 0;
  for (const { channel } of members.values()) {
    if (channel?.readyState === 'open') {
      channel.send(JSON.stringify({ type: 'chat', text }));
      sent++;
    }
  }
  return sent;
}
window.rendezvousDemo.sendRoom = sendRoom;

function dropMember(id) {
  const member = members.get(id);
  member?.negotiation?.stop();
  member?.channel?.close();
  member?.pc.close();
  members.delete(id);
  state.room.open = state.room.open.filter((other) => other !== id);
  document.getElementById(`video-${id}`)?.remove();
}

function addVideo(id, stream, muted) {
  let video = document.getElementById(`video-${id}`);
  if (!video) {
    video = document.createElement('video');
    video.id = `video-${id}`;
    video.autoplay = true;
    video.playsInline = true;
    video.muted = muted;
    $('videos').append(video);
  }
  video.srcObject = stream;
}
