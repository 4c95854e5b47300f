export * from './config.js';
export * from './commands.js';
export * from './infrastructure.js';
export * from './ingest-service.js';
export * from './commands-site.js';
export * from './errors.js';
export * from './demo.js';
export * from './sim.js';
export * from './api-service.js';
export * from './api-command.js';
export { planFanoutClients } from './bench/fanout-bench.js';
export { gatewayLoads, normalValue } from './bench/paced-load.js';
export * from './live-source.js';
export {
  completeBefore,
  DirtyMinutes,
  IngestRollups,
  MinuteAccumulator,
  type MinuteRun,
  nextRollupAt,
} from './rollup-schedule.js';
