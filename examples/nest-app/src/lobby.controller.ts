import { Controller, Get, Inject } from '@nestjs/common';
import { SessionLifecycle } from '@rendezvous/server';
import { Settings } from './settings.js';

/** A feature of the application that reads Rendezvous: who is connected to signaling right now. */
@Controller('lobby')
export class LobbyController {
  constructor(
    @Inject(Settings) private readonly settings: Settings,
    @Inject(SessionLifecycle) private readonly signaling: SessionLifecycle,
  ) {}

  @Get()
  lobby(): { app: string; online: number; flights: number } {
    return {
      app: this.settings.appName,
      online: this.signaling.clientCount(),
      flights: this.signaling.flightCount(),
    };
  }
}
