// The one IP/CIDR library and the one hostPort rule: pure, no I/O. Everything that reads an address,
// a range or a pod's host ports imports it from here.
export * from './ip.js';
export * from './cidr.js';
export * from './host-ports.js';
