// One DNS question asked from inside a network namespace with dig (Debian's dnsutils), the way a pod on
// that node would ask: through the node's service proxy to the kube-dns ClusterIP. `podnet up` uses it
// to wait until cluster DNS answers before it returns.
import { CommandError, run } from './exec.js';

/**
 * A records for `name` from `server`, asked once (one try, 1 s) from inside `netns`; [] when there was
 * no answer or the name does not exist.
 */
export async function lookupA(netns: string, server: string, name: string): Promise<string[]> {
  try {
    const r = await run(['dig', '+short', '+time=1', '+tries=1', `@${server}`, name, 'A'], { netns, timeoutMs: 5000 });
    return r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l));
  } catch (e) {
    // dig exits 9 when no server answered: not an error here, the caller asks again.
    if (e instanceof CommandError) return [];
    throw e;
  }
}
