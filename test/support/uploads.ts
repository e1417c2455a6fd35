import { request as httpRequest } from 'node:http';

/** A client that starts a 90 kB multipart upload to /api/uploads, sends a third of it, and goes away. */
export function abandonUpload(url: string, fileName = 'cut.pptx'): Promise<void> {
  const boundary = 'rendezvous-boundary';
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`;
  return new Promise<void>((resolve) => {
    const request = httpRequest({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      method: 'POST',
      path: '/api/uploads',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '90000' },
    });
    request.on('error', () => resolve());
    request.write(head);
    request.write(Buffer.alloc(30_000, 7));
    setTimeout(() => {
      request.destroy();
      resolve();
    }, 300);
  });
}

/** POST /api/uploads with the given form parts: `[field, value, file name?]`. */
export async function postUpload(
  url: string,
  parts: [string, Blob | string, string?][],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  for (const [field, value, name] of parts) {
    if (typeof value === 'string') form.append(field, value);
    else form.append(field, value, name);
  }
  const response = await fetch(`${url}/api/uploads`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
