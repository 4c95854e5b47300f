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
export { startBrokerAccounts, type BrokerAccountsService } from './broker-accounts-setup.js';
// Argument parsing shared with the benchmarks' command line (tools/bench).
export { MAX_DURATION_S, numberOption, parseCommandArgs, type NumberOptionRule } from './command-args.js';
export * from './live-source.js';
export * from './notification-setup.js';
export { LOG_LEVELS, parseEntryArgs, type EntryArgs } from './entry-args.js';
