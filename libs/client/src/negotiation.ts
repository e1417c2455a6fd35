/**
 * Perfect negotiation (W3C WebRTC, "Perfect negotiation example") over any signaling channel, for any
 * RTCPeerConnection: both sides may add tracks or channels at any time; on an offer collision the polite side
 * rolls back and answers, the impolite side ignores the other's offer. ICE candidates trickle as they come.
 *
 * The types are structural so this module needs no DOM typings: a browser's RTCPeerConnection fits them.
 */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}
export interface IceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}
export interface PeerConnectionLike {
  readonly signalingState: string;
  readonly localDescription: { type: string; sdp: string } | null;
  setLocalDescription(description?: SessionDescription): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  addIceCandidate(candidate?: IceCandidateInit | null): Promise<void>;
  addEventListener(type: string, listener: (event: never) => void): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
}

/** What the two sides exchange: a description, or a candidate (null: end of candidates). */
export type NegotiationMessage = { description: SessionDescription } | { candidate: IceCandidateInit | null };

export interface NegotiationOptions {
  /** Exactly one side of a pair is polite (e.g. the one with the greater id, or the one that joined). */
  polite: boolean;
  send(message: NegotiationMessage): void;
  onError?(error: unknown): void;
}

export class PerfectNegotiation {
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private readonly onNegotiationNeeded = () => void this.offer();
  private readonly onIceCandidate = (event: {
    candidate: (IceCandidateInit & { toJSON?(): IceCandidateInit }) | null;
  }) => this.options.send({ candidate: event.candidate?.toJSON ? event.candidate.toJSON() : event.candidate });

  constructor(
    private readonly pc: PeerConnectionLike,
    private readonly options: NegotiationOptions,
  ) {
    pc.addEventListener('negotiationneeded', this.onNegotiationNeeded);
    pc.addEventListener('icecandidate', this.onIceCandidate as (event: never) => void);
  }

  /** Feeds a message from the other side. */
  async receive(message: NegotiationMessage): Promise<void> {
    try {
      if ('description' in message) {
        const { description } = message;
        const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
        const collision = description.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.options.polite && collision;
        if (this.ignoreOffer) return;
        this.settingRemoteAnswer = description.type === 'answer';
        await this.pc.setRemoteDescription(description);
        this.settingRemoteAnswer = false;
        if (description.type === 'offer') {
          await this.pc.setLocalDescription();
          this.sendLocalDescription();
        }
      } else if ('candidate' in message) {
        try {
          await this.pc.addIceCandidate(message.candidate ?? undefined);
        } catch (error) {
          if (!this.ignoreOffer) throw error;
        }
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  close(): void {
    this.pc.removeEventListener('negotiationneeded', this.onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.onIceCandidate as (event: never) => void);
  }

  private async offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.makingOffer = false;
    }
  }

  private sendLocalDescription(): void {
    const local = this.pc.localDescription;
    if (local) this.options.send({ description: { type: local.type as SessionDescription['type'], sdp: local.sdp } });
  }
}
