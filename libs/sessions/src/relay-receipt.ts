import type { Delivery, DeliveryOutcome } from '@rendezvous/delivery';
import { ErrorCode, type RelayReceipt } from '@rendezvous/protocol';
import { SignalingError } from '@rendezvous/signaling';

/** The receipt, known at once for a local recipient and after the live state's answer otherwise. */
export type Receipt<T> = T | Promise<T>;

/** A delivery's outcome as its sender's receipt; a refusal is a SignalingError with its stable code. */
export function receiptOf(delivery: Delivery, seq: number): Receipt<RelayReceipt> {
  return typeof delivery === 'string' ? toReceipt(delivery, seq) : delivery.then((outcome) => toReceipt(outcome, seq));
}

function toReceipt(outcome: DeliveryOutcome, seq: number): RelayReceipt {
  switch (outcome) {
    case 'delivered':
    case 'queued':
      return { forwarded: true, delivery: outcome, seq };
    case 'full':
      throw new SignalingError(ErrorCode.OutboxFull);
    case 'gone':
      throw new SignalingError(ErrorCode.PeerUnavailable);
    default:
      throw new SignalingError(ErrorCode.Unavailable);
  }
}

/** Maps a receipt that may still be pending. */
export function mapReceipt<T, U>(receipt: Receipt<T>, map: (value: T) => U): Receipt<U> {
  return receipt instanceof Promise ? receipt.then(map) : map(receipt);
}
