import { createMemoryLiveState } from '../src/live-state/index.js';
import { describeLiveStateContract } from './live-state.contract.js';

describeLiveStateContract('in-memory', async () => {
  const subject = {
    live: createMemoryLiveState(),
    async wipe() {
      // A fresh instance is exactly what a restarted standalone process has.
      subject.live = createMemoryLiveState();
    },
    async close() {},
  };
  return subject;
});
