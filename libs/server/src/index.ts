export * from './rendezvous.module.js';
export * from './rendezvous-options.js';
export { configureGateway, GATEWAY_APP_OPTIONS } from './bootstrap.js';
export {
  RENDEZVOUS_CONFIG,
  type RendezvousConfig,
  type IceServerConfig,
  loadConfig,
  ConfigError,
} from '@rendezvous/config';
export { Drain, FlightSessions, RoomSessions, SessionLifecycle } from '@rendezvous/sessions';
export { MultipartyRoomService, TransferRoomService } from '@rendezvous/rooms';
