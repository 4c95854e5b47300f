export * from './services.js';
export * from './test-database.js';
export * from './tcp-proxy.js';
export * from './provided.js';
export * from './wait-for.js';
export * from './xlsx-reader.js';
export * from './private-redis.js';
