import type { RendezvousConfig } from '@rendezvous/config';
import { lookup } from '@uploadthing/mime-types';
import { extname } from 'node:path';
import { createRouteHandler, createUploadthing, type FileRouter, UploadThingError } from 'uploadthing/server';
import { PREVIEW_UPLOAD_SLUG, UPLOADTHING_ROUTE_PATH, type WebRequestHandler } from './preview-storage.factory.js';
import type { UploadedFileStore } from './uploaded-file.store.js';
import { createUploadThingApi, type UploadThingSettings, uploadThingLogLevel } from './uploadthing-storage.js';

type RouteConfig = Parameters<ReturnType<typeof createUploadthing>>[0];

/**
 * DropSilk's `/api/uploadthing` route through UploadThing's official SDK: the browser asks for a presigned URL,
 * uploads straight to UploadThing, and UploadThing calls back (signed with the API key) once the file is stored;
 * only then is the row written. One file per upload, limits from PREVIEW_MAX_BYTES and PREVIEW_ALLOWED_EXTENSIONS.
 */
export function previewUploadRoute(
  config: RendezvousConfig,
  settings: UploadThingSettings,
  files: UploadedFileStore,
): WebRequestHandler {
  const { maxBytes, allowedExtensions, publicUrl } = config.previews;
  const api = createUploadThingApi(settings, config.server.logLevel);
  const routeConfig: Record<string, { maxFileSize: string; maxFileCount: number; minFileCount: number }> = {};
  for (const extension of allowedExtensions) {
    const mimeType = lookup(`file${extension}`);
    if (mimeType) routeConfig[mimeType] = { maxFileSize: `${maxBytes}B`, maxFileCount: 1, minFileCount: 1 };
  }
  const route = createUploadthing();
  const router = {
    [PREVIEW_UPLOAD_SLUG]: route(routeConfig as RouteConfig)
      // UploadThing matches the type the client claims; the name must have an allowed extension too.
      .middleware(({ files: requested }) => {
        for (const file of requested) {
          if (!allowedExtensions.includes(extname(file.name).toLowerCase())) {
            throw new UploadThingError({
              code: 'BAD_REQUEST',
              message: `Only ${allowedExtensions.join(', ')} files can be uploaded.`,
            });
          }
        }
        return {};
      })
      .onUploadComplete(async ({ file }) => {
        try {
          await files.record({
            fileKey: file.key,
            fileUrl: file.ufsUrl,
            fileName: file.name,
            fileSize: file.size,
            storage: 'uploadthing',
            uploadedAt: new Date(),
          });
        } catch (error) {
          // No row, no file: a stored file nobody can find would never be cleaned up.
          await api.deleteFiles(file.key).catch(() => undefined);
          throw error;
        }
        return { key: file.key, url: file.ufsUrl };
      }),
  } satisfies FileRouter;
  const handler = createRouteHandler({
    router,
    config: {
      token: settings.token,
      ...(settings.ingestUrl ? { ingestUrl: settings.ingestUrl } : {}),
      // Behind a proxy the request's own URL may not be the public one; PUBLIC_SERVER_URL is.
      ...(publicUrl ? { callbackUrl: `${publicUrl}/${UPLOADTHING_ROUTE_PATH}` } : {}),
      logLevel: uploadThingLogLevel(config.server.logLevel),
      logFormat: 'json',
    },
  });
  return (request) => handler(request);
}
