/**
 * Wraps `work` so that runs never overlap: a call while a run is going on asks for exactly one more run after it
 * (however many calls came meanwhile), and every caller's promise settles when a run that started after its call
 * has finished. Used for restoring a replica's state after Redis lost it: a reconnect and an unrecognised
 * heartbeat may both ask at once, and two interleaved restores would disconnect each other's sessions.
 */
export function serialized(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = work().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
