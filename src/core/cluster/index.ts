export * from './config.js';
export * from './etcd-plan.js';
