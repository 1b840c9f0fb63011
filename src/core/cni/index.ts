// Pure CNI logic: the protocol (request, versions, results, errors) and the planners.
export * from './errors.js';
export * from './version.js';
export * from './result.js';
export * from './request.js';
export * from './netconf.js';
export * from './host-local-config.js';
export * from './bridge-config.js';
export * from './bridge-plan.js';
export * from './masq-plan.js';
export * from './portmap-plan.js';
export * from './conflist.js';
