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
export * from './plant/media.js';
export * from './plant/tank-model.js';
export * from './plant/reactor-model.js';
export * from './plant/gas-plume.js';
export * from './plant/weather-model.js';
export * from './plant/sensor-faults.js';
export * from './scenario/scenario-schema.js';
export * from './scenario/scenario-parse.js';
export * from './scenario/scenario-load.js';
export * from './scenario/scenario-plant.js';
export {
  bindPlant,
  pointKey,
  type PlantBinding,
  type EnterprisePlant,
  type Binding,
} from './scenario/plant-bindings.js';
export * from './runner/run-timeline.js';
export * from './runner/scenario-runner.js';
export * from './runner/bad-payloads.js';
export * from './verify/verify-expectations.js';
export * from './verify/verify-table.js';
export * from './site-gen/generate-site.js';
export * from './site-gen/site-yaml.js';
export { usccFor, usccCheckChar } from './site-gen/uscc.js';
// The OPC-UA plant server is at '@hazardwatch/simulators/opcua': node-opcua is loaded only by
// those who serve OPC-UA (its start-up self-check costs a second of CPU and writes to stdout).
