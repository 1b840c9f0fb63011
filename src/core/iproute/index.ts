// iproute2 operations as data (batch lines and their outcomes); src/linux runs them.
export * from './batch.js';
