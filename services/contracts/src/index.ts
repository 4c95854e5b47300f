export * from './topics.js';
export * from './quality.js';
export * from './telemetry.js';
export * from './gateway-status.js';
export * from './alarms.js';
export * from './live.js';
export * from './live-frame.js';
export * from './source-key.js';
