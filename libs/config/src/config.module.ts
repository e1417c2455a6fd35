import { type DynamicModule, Global, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { loadConfig } from './config.js';
import type { RendezvousConfig } from './rendezvous-config.js';

export const RENDEZVOUS_CONFIG = Symbol('RENDEZVOUS_CONFIG');

/** How `ConfigModule.forRootAsync` builds the configuration from the application's own providers. */
export interface AsyncConfigFactory {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => RendezvousConfig | Promise<RendezvousConfig>;
}

@Global()
@Module({})
export class ConfigModule {
  /** Pass a config to override the environment (tests, an embedding application); otherwise process.env is validated. */
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: RENDEZVOUS_CONFIG, useFactory: () => config ?? loadConfig() }],
      exports: [RENDEZVOUS_CONFIG],
    };
  }

  static forRootAsync(factory: AsyncConfigFactory): DynamicModule {
    return {
      module: ConfigModule,
      imports: factory.imports ?? [],
      providers: [
        {
          provide: RENDEZVOUS_CONFIG,
          inject: factory.inject ?? [],
          useFactory: factory.useFactory as (...args: unknown[]) => Promise<RendezvousConfig>,
        },
      ],
      exports: [RENDEZVOUS_CONFIG],
    };
  }
}
