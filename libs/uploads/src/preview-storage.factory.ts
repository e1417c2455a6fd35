import type { RendezvousConfig } from '@rendezvous/config';
import { join } from 'node:path';
import { LocalDiskStorage, type PreviewStorage } from './preview-storage.js';
import type { UploadedFileStore } from './uploaded-file.store.js';

/** The route slug DropSilk's client uploads to. */
export const PREVIEW_UPLOAD_SLUG = 'previewUpload';

/** Where UploadThing's route handler is mounted. */
export const UPLOADTHING_ROUTE_PATH = 'api/uploadthing';

export const PREVIEW_UPLOAD_ROUTE = Symbol('PREVIEW_UPLOAD_ROUTE');

export type WebRequestHandler = (request: Request) => Promise<Response>;

/** The UploadThing SDK (and Effect under it) takes over a second to load: only deployments that use it pay. */
export const loadUploadThingStorage = () => import('./uploadthing-storage.js');

/** PREVIEW_STORAGE as configured, the same for the gateway and the scheduler. */
export async function createPreviewStorage(config: RendezvousConfig): Promise<PreviewStorage> {
  const { previews } = config;
  if (previews.storage === 'uploadthing' && previews.uploadThing) {
    const { createUploadThingApi, UploadThingStorage } = await loadUploadThingStorage();
    // Uploads on their way to UploadThing are spooled under PREVIEW_DIR, the one writable place we are given.
    return new UploadThingStorage(
      createUploadThingApi(previews.uploadThing, config.server.logLevel),
      join(previews.dir, '.incoming'),
    );
  }
  return new LocalDiskStorage(previews.dir);
}

/** DropSilk's /api/uploadthing route handler; null without UPLOADTHING_TOKEN. */
export async function createPreviewUploadRoute(
  config: RendezvousConfig,
  files: UploadedFileStore,
): Promise<WebRequestHandler | null> {
  if (!config.previews.uploadThing) return null;
  const { previewUploadRoute } = await import('./preview-upload-route.js');
  return previewUploadRoute(config, config.previews.uploadThing, files);
}
