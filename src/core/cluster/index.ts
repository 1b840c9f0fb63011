export * from './config.js';
export * from './etcd-plan.js';
export * from './apiserver-vip.js';
