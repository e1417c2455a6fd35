// Entry point of the built image: `node dist/apps/gateway/main.js`.
import './src/main.js';
