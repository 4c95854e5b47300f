export * from './config.js';
export * from './commands.js';
export * from './infrastructure.js';
export * from './ingest-service.js';
