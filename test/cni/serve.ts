// Test helper process: serves CNI calls on a unix socket (argv[2]) from the network namespace it
// is started in (`ip netns exec <node> node --import tsx test/cni/serve.ts <socket>`), like the
// node agent does. Prints "ready <shim path>" once listening; exits when stdin closes.
import { serveCni } from '../../src/components/cni/server.js';
import { closeExecutor } from '../../src/linux/exec.js';

const server = await serveCni(process.argv[2]);
process.stdout.write(`ready ${server.shim ?? `no-shim ${server.shimError ?? ''}`}\n`);
process.stdin.resume();
process.stdin.on('end', () => { void server.close().then(() => { closeExecutor(); process.exit(0); }); });
