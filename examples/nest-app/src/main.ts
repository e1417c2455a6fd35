import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { Settings } from './settings.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
const settings = app.get(Settings);
await app.listen(settings.port);
new Logger('Example').log(`${settings.appName} on http://localhost:${settings.port} (signaling at /rtc/socket.io)`);
