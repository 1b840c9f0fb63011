export * from './object.js';
export * from './resources.js';
export * from './errors.js';
export * from "./client.js";
export * from './labels.js';
export * from './field-selectors.js';
