import { Module } from '@nestjs/common';
import { RendezvousModule } from '@rendezvous/server';
import { LobbyController } from './lobby.controller.js';
import { Settings } from './settings.js';

@Module({ providers: [Settings], exports: [Settings] })
export class SettingsModule {}

/**
 * The application: its own controller beside Rendezvous, whose HTTP API is mounted under /rtc and whose
 * Socket.IO answers at /rtc/socket.io. Its configuration comes from the application's own settings.
 */
@Module({
  imports: [
    SettingsModule,
    RendezvousModule.forRootAsync({
      imports: [SettingsModule],
      inject: [Settings],
      useFactory: (settings: Settings) => ({
        config: {
          database: { url: settings.databaseUrl },
          ...(settings.redisUrl ? { redis: { url: settings.redisUrl } } : {}),
        },
      }),
      http: { prefix: 'rtc' },
      socketIoPath: '/rtc/socket.io',
    }),
  ],
  controllers: [LobbyController],
})
export class AppModule {}
