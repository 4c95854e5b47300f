export * from './config.js';
export * from './commands.js';
export * from './infrastructure.js';
export * from './ingest-service.js';
export * from './commands-site.js';
export * from './errors.js';
export * from './demo.js';
export * from './sim.js';
