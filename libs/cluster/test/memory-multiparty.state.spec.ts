import { MemoryMultipartyState } from '../src/memory-multiparty.state.js';
import { describeMultipartyContract } from './multiparty-state.contract.js';

describeMultipartyContract('memory', async () => {
  let state = new MemoryMultipartyState();
  const subject = {
    state,
    other: state,
    wipe: async () => {
      state = new MemoryMultipartyState();
      subject.state = state;
      subject.other = state;
    },
    close: async () => undefined,
  };
  return subject;
});
