import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig } from './config.js';
import type { RendezvousConfig } from './rendezvous-config.js';

export const RENDEZVOUS_CONFIG = Symbol('RENDEZVOUS_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** Pass a config to override the environment (tests); otherwise process.env is validated. */
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: RENDEZVOUS_CONFIG, useFactory: () => config ?? loadConfig() }],
      exports: [RENDEZVOUS_CONFIG],
    };
  }
}
