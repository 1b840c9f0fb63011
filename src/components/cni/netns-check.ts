// The CNI_NETNS checks every ADD makes before touching anything.
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { isOwnNetns, netnsProblem } from '../../linux/cni-netns.js';

/** ADD: the netns must exist and must not be our own (code 8, unless CNI_NETNS_OVERRIDE=1). */
export function checkAddNetns(netns: string, env: Record<string, string | undefined>): void {
  const p = netnsProblem(netns);
  if (p) throw new CniError(ErrorCode.Internal, p.message);
  if (env.CNI_NETNS_OVERRIDE !== '1' && isOwnNetns(netns)) {
    throw new CniError(ErrorCode.InvalidNetNS, 'invalid network namespace', `${netns} is the plugin's own network namespace; give the container's namespace`);
  }
}

