export * from './source.js';
export * from './tag-mapping.js';
export * from './spool/spool.js';
export * from './errors.js';
export * from './spool/file-spool.js';
export * from './sources/word-order.js';
export * from './sources/modbus-plan.js';
export * from './sources/modbus-options.js';
export * from './sources/modbus-source.js';
export * from './sources/opcua-source.js';
export * from './sources/opcua-options.js';
export * from './sources/opcua-status.js';
export * from './sources/opcua-trust.js';
export { routeOpcuaLogs } from './sources/opcua-log.js';
export * from './uplink/mqtt-uplink.js';
export * from './uplink/forwarder.js';
export * from './sources/mqtt-bridge-path.js';
export * from './sources/mqtt-bridge-topic.js';
export * from './sources/mqtt-bridge-options.js';
export {
  mapMessage,
  type BridgeRejectReason,
  type BridgeRejection,
  type MappedMessage,
} from './sources/mqtt-bridge-mapping.js';
export * from './sources/mqtt-bridge-source.js';
export * from './edge-config.js';
export * from './exception-filter.js';
export * from './collector.js';
export type { EdgeHealthServer } from './health-server.js';
