// The only code that touches the kernel. Import from here: `import { addVeth, replaceRoute } from '../../linux/index.js'`.
export * from './exec.js';
export * from './netns.js';
export * from './link.js';
export * from './addr.js';
export * from './route.js';
export * from './sysctl.js';
export * from './process.js';
export * from './nft.js';
export * from './dns-lookup.js';
export * from './nft-trace.js';
export * from './probe.js';
