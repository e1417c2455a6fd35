// Entry point of the built image's scheduler: `node dist/apps/scheduler/main.js`.
import './src/main.js';
