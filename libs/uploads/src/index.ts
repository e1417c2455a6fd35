export * from './preview-cleanup.js';
export * from './preview-storage.js';
export * from './uploaded-file.store.js';
