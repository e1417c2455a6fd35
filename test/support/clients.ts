// The repository's suites use the same test client as applications do (@rendezvous/testing).
export { TestClient, type TestSocket } from '../../libs/testing/src/test-client.js';
