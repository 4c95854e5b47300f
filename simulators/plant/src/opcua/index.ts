/** @hazardwatch/simulators/opcua: the simulated plant as an OPC-UA server (node-opcua). */
export * from './plant-opcua-server.js';
export * from './plant-opcua-feed.js';
export { plantNodeId, plantBrowsePath, statusForQuality, type PlantOpcuaTag } from './address-space.js';
