export * from './object.js';
export * from './resources.js';
export * from './errors.js';
export * from "./client.js";
