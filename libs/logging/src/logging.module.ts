import { type DynamicModule, Module } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { LoggerModule } from 'nestjs-pino';
import { LogRingBuffer } from './log-ring-buffer.js';
import { loggerParams } from './logger-options.js';

@Module({})
class LogBufferModule {}

const logBufferModule: DynamicModule = {
  module: LogBufferModule,
  global: true,
  providers: [
    {
      provide: LogRingBuffer,
      inject: [RENDEZVOUS_CONFIG],
      useFactory: (config: RendezvousConfig) => new LogRingBuffer(config.server.logBufferSize),
    },
  ],
  exports: [LogRingBuffer],
};

/** Structured JSON logs (nestjs-pino) for `app`, HTTP requests included, kept also in the /logs ring buffer. */
@Module({})
export class LoggingModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        logBufferModule,
        LoggerModule.forRootAsync({
          imports: [logBufferModule],
          inject: [RENDEZVOUS_CONFIG, LogRingBuffer],
          useFactory: (config: RendezvousConfig, buffer: LogRingBuffer) => loggerParams(config, app, buffer),
        }),
      ],
      exports: [logBufferModule],
    };
  }
}
