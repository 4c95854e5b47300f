export * from './source.js';
export * from './tag-mapping.js';
export * from './spool/spool.js';
export * from './errors.js';
