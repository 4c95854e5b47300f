export * from './notification-channel.js';
export * from './outbox-worker.js';
export * from './webhook-channel.js';
