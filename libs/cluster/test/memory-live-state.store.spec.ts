import { MemoryLiveStateStore } from '../src/memory-live-state.store.js';
import { describeLiveStateContract } from './live-state.contract.js';

describeLiveStateContract('in-memory', async () => {
  const subject = {
    store: new MemoryLiveStateStore(),
    async wipe() {
      // A fresh instance is exactly what a restarted standalone process has.
      subject.store = new MemoryLiveStateStore();
    },
    async close() {},
  };
  return subject;
});
