import type { Writable } from 'node:stream';
import { Cluster, Redis } from 'ioredis';
import { turnWrites } from './turn-batched-writes.js';

type SendCommand = Redis['sendCommand'];

/**
 * A Redis client whose commands of one event-loop turn leave in one write (TurnBatchedWrites). Every write
 * to a loopback or in-cluster socket is a system call that runs the TCP stack on both ends: a connect issues
 * about twenty commands, and with one write each they were the largest item of a connecting replica's profile.
 * A pipeline's commands go through here too (with the pipeline's own stream) before it writes them at once.
 */
export class TurnBatchedRedis extends Redis {
  override sendCommand(...args: Parameters<SendCommand>): ReturnType<SendCommand> {
    // The socket exists once connected; before that, commands wait in the offline queue or fail.
    if (this.stream) turnWrites.add(this.stream);
    return super.sendCommand(...args);
  }
}

type ClusterSendCommand = Cluster['sendCommand'];

/** The same for a Redis Cluster: the masters' sockets are corked together, listed once per turn. */
export class TurnBatchedCluster extends Cluster {
  override sendCommand(...args: Parameters<ClusterSendCommand>): ReturnType<ClusterSendCommand> {
    turnWrites.addFrom(this, this.masterStreams);
    return super.sendCommand(...args);
  }

  private readonly masterStreams = (): Writable[] =>
    this.nodes('master').flatMap((node) => (node.stream ? [node.stream] : []));
}
