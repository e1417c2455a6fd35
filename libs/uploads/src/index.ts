export * from './preview-cleanup.js';
export * from './preview-storage.factory.js';
export * from './preview-storage.js';
export * from './uploaded-file.store.js';
export type { UploadThingSettings, UploadThingStorage } from './uploadthing-storage.js';
