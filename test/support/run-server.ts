// Runs `runServer` for a cluster.json, as `podnet server --config` does, for tests that need a server
// process they can restart or kill.
import { readFileSync } from 'node:fs';
import { runServer } from '../../src/components/apiserver/index.js';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const server = await runServer(config, { hosts: ['127.0.0.1'] });
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
