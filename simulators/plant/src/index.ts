/**
 * @hazardwatch/simulators: simulated plants that talk to HazardWatch through real protocols only
 * (ARCHITECTURE.md: contracts only, never service code).
 */
export * from './errors.js';
export * from './prng.js';
export * from './site-points.js';
export * from './signal.js';
export * from './fleet-options.js';
export * from './mqtt-fleet.js';
