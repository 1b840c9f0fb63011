#!/usr/bin/env node
// Builds bin/podnet-cni's thin C client (the fast path to a node agent) after `tsc`, so the first agent
// does not compile it during `podnet up`. Without a C compiler the plugin still works stand-alone.
const { ensureShim } = await import('../dist/components/cni/shim-build.js');
const r = await ensureShim();
if (r.path) console.log(`podnet-cni shim: ${r.path}`);
else console.warn(`podnet-cni shim not built (${r.reason}); bin/podnet-cni will run stand-alone`);
