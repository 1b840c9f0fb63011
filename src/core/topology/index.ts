// Planning a cluster's topology: names, ranges, addresses. Pure; `podnet up` does the I/O.
export * from './names.js';
export * from './plan.js';
