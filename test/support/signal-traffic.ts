import type { RendezvousClient } from '@rendezvous/client';

/** Pairs two clients in a flight as a real client does: the host signals once it has heard `peer-joined`. */
export async function pairInFlight(host: RendezvousClient, guest: RendezvousClient): Promise<string> {
  const joined = new Promise<void>((resolve) => {
    const stop = host.on('peer-joined', () => {
      stop();
      resolve();
    });
  });
  const { flightCode } = await host.createFlight();
  await guest.joinFlight(flightCode);
  await joined;
  return flightCode;
}

/** One side of a flight under steady traffic: what it sent, what its sends were answered, what it received. */
interface Side {
  client: RendezvousClient;
  label: string;
  /** Numbers it sent, by receipt: delivered or queued (acknowledged), or refused (with the error's code). */
  acknowledged: number[];
  receipts: Map<number, string>;
  refused: { n: number; code: string }[];
  /** Numbers it received from its peer, in arrival order (after the client library's duplicate check). */
  received: number[];
  next: number;
  settling: Set<Promise<unknown>>;
}

export interface TrafficReport {
  flights: number;
  sent: number;
  acknowledged: number;
  /** Acknowledged (delivered or queued) and never received by the peer. */
  lost: number;
  /** Received more than once by the application. */
  duplicates: number;
  /** Received after a greater number from the same sender. */
  outOfOrder: number;
  /** Refused with a code (reported to the sender): not lost. */
  refused: number;
  refusals: Record<string, number>;
  /** Sends with no answer at all when the traffic stopped. */
  unanswered: number;
  /** The first few lost messages, as `<flight><h|g>:<n>`, to tell where they went missing. */
  lostSample: string[];
}

/**
 * Steady numbered `signal`s both ways in each flight, through the client library, and the bookkeeping that tells
 * whether every acknowledged message reached the application of its peer once and in order.
 */
export class SignalTraffic {
  private readonly sides: [Side, Side][];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    flights: [RendezvousClient, RendezvousClient][],
    private readonly intervalMs: number,
  ) {
    this.sides = flights.map(([host, guest], index) => {
      const pair: [Side, Side] = [side(host, `${index}h`), side(guest, `${index}g`)];
      for (const [self, peer] of [pair, [pair[1], pair[0]]] as [Side, Side][]) {
        self.client.on('signal', ({ data }) => {
          const message = data as { traffic?: string; n?: number };
          if (message.traffic === peer.label && typeof message.n === 'number') self.received.push(message.n);
        });
      }
      return pair;
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const pair of this.sides) for (const each of pair) send(each);
    }, this.intervalMs);
  }

  /** Stops sending and waits (at most `settleMs`) for every answer and for the peers to receive what was sent. */
  async stop(settleMs: number): Promise<TrafficReport> {
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + settleMs;
    const all = this.sides.flat();
    while (Date.now() < deadline && all.some((each) => each.settling.size > 0)) await pause(50);
    // What was acknowledged may still be on its way (replayed on a resume, or queued): give it the same time.
    while (Date.now() < deadline && this.sides.some(([a, b]) => missing(a, b) + missing(b, a) > 0)) await pause(50);
    return this.report();
  }

  report(): TrafficReport {
    const report: TrafficReport = {
      flights: this.sides.length,
      sent: 0,
      acknowledged: 0,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      refused: 0,
      refusals: {},
      unanswered: 0,
      lostSample: [],
    };
    for (const [a, b] of this.sides) {
      for (const [sender, receiver] of [
        [a, b],
        [b, a],
      ] as [Side, Side][]) {
        report.sent += sender.next;
        report.acknowledged += sender.acknowledged.length;
        report.refused += sender.refused.length;
        report.unanswered += sender.settling.size;
        for (const { code } of sender.refused) report.refusals[code] = (report.refusals[code] ?? 0) + 1;
        report.lost += missing(sender, receiver);
        const received = new Set(receiver.received);
        for (const n of sender.acknowledged) {
          if (!received.has(n) && report.lostSample.length < 20)
            report.lostSample.push(`${sender.label}:${n}:${sender.receipts.get(n)}`);
        }
        const seen = new Set<number>();
        let highest = 0;
        for (const n of receiver.received) {
          if (seen.has(n)) report.duplicates++;
          if (n < highest) report.outOfOrder++;
          seen.add(n);
          highest = Math.max(highest, n);
        }
      }
    }
    return report;
  }
}

function side(client: RendezvousClient, label: string): Side {
  return {
    client,
    label,
    acknowledged: [],
    receipts: new Map(),
    refused: [],
    received: [],
    next: 0,
    settling: new Set(),
  };
}

function send(self: Side): void {
  const n = ++self.next;
  const settled = self.client.signal({ traffic: self.label, n }).then(
    (receipt) => {
      self.acknowledged.push(n);
      self.receipts.set(n, 'delivery' in receipt ? receipt.delivery : 'none');
    },
    (error: { code?: string }) => void self.refused.push({ n, code: error.code ?? 'error' }),
  );
  self.settling.add(settled);
  void settled.finally(() => self.settling.delete(settled));
}

/** Acknowledged messages of `sender` its peer never received. */
function missing(sender: Side, receiver: Side): number {
  const received = new Set(receiver.received);
  return sender.acknowledged.filter((n) => !received.has(n)).length;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
