// Which network a runtime uses: the lexicographically first .conf/.conflist/.json file in the
// configuration directory, exactly as containerd and CRI-O pick it, parsed by the one conflist parser.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type ConfList, parseConfList } from '../../core/cni/conflist.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';

export interface NetworkFile extends ConfList {
  /** The file the list was read from. */
  file: string;
}

/** Reads one configuration file; an error names the file. */
export function loadNetworkFile(file: string): NetworkFile {
  const text = readFileSync(file, 'utf8');
  try {
    return { ...parseConfList(text), file };
  } catch (e) {
    if (e instanceof CniError) throw new CniError(e.code, `${file}: ${e.msg}`, e.details);
    throw e;
  }
}

/** The network containerd would use from `confDir`. */
export function loadDefaultNetwork(confDir: string): NetworkFile {
  let files: string[];
  try { files = readdirSync(confDir); } catch { files = []; }
  for (const f of files.filter((x) => ['.conf', '.conflist', '.json'].includes(extname(x))).sort()) {
    const path = join(confDir, f);
    if (statSync(path).isFile()) return loadNetworkFile(path);
  }
  throw new CniError(ErrorCode.InvalidNetworkConfig, `no network configuration in ${confDir}`, 'the agent writes 10-podnet.conflist there once the Node has a podCIDR');
}
