import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The repository root (holding libs/server/demo), found from this file whether it runs from source or dist/. */
function findRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'libs', 'server', 'demo', 'index.html'))) return dir;
    if (dirname(dir) === dir) throw new Error(`libs/server/demo not found above ${from}`);
  }
}

const CLIENT_MODULE = /^[a-z][a-z-]*\.js$/;

/**
 * The demo page (`/demo`): a small page on the client library. Serves a fixed set of files only: the page, its
 * script and style, the compiled client modules, and socket.io-client's browser build.
 */
@Controller('demo')
export class DemoController {
  private readonly root = findRoot();

  @Get()
  @Header('Cache-Control', 'no-cache')
  page(@Res() response: Response): void {
    this.send(response, join(this.root, 'libs/server/demo/index.html'), 'text/html; charset=utf-8');
  }

  @Get(['demo.js', 'demo.css'])
  @Header('Cache-Control', 'no-cache')
  asset(@Res() response: Response): void {
    const name = response.req.path.endsWith('.css') ? 'demo.css' : 'demo.js';
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    this.send(response, join(this.root, 'libs/server/demo', name), type);
  }

  @Get('client/:module')
  @Header('Cache-Control', 'no-cache')
  clientModule(@Param('module') module: string, @Res() response: Response): void {
    if (!CLIENT_MODULE.test(module)) throw new NotFoundException();
    this.send(response, join(this.root, 'dist/libs/client/src', module), 'text/javascript; charset=utf-8');
  }

  @Get('vendor/socket.io.esm.min.js')
  vendor(@Res() response: Response): void {
    // Wherever the package manager put socket.io-client (hoisted or beside this package).
    const file = join(dirname(require.resolve('socket.io-client/package.json')), 'dist/socket.io.esm.min.js');
    this.send(response, file, 'text/javascript; charset=utf-8');
  }

  private send(response: Response, file: string, type: string): void {
    if (!existsSync(file)) throw new NotFoundException();
    response.type(type).sendFile(file);
  }
}
