// podnet's CNI plugins behind one entry point, used three ways: in-process by the CNI runtime
// (runtime.ts, which the node agent uses), by the socket server for bin/podnet-cni, and by the
// stand-alone bin/podnet-cni itself.
//
// Which plugin runs: an explicit `plugin` option (the executable's name when bin/podnet-cni is
// installed under several names), else the configuration's `type`:
//   bridge      "podnet-bridge", "podnet-cni", "bridge"        (reference bridge configuration)
//   host-local  "podnet-host-local", "host-local"              (IPAM; also runs in-process under bridge)
//   loopback    "podnet-loopback", "loopback"
//   portmap     "podnet-portmap", "portmap"                    (chained, runtimeConfig.portMappings)
// The reference type names are accepted so a .conflist written for the reference plugins runs
// unchanged when the runtime resolves those names to podnet (the agent does, in-process).
import { CniError, ErrorCode, asCniError, goJson } from '../../core/cni/errors.js';
import { type CniEnv, type Request, parseRequest } from '../../core/cni/request.js';
import { type Result, formatResult } from '../../core/cni/result.js';
import { versionInfo } from '../../core/cni/version.js';
import { attachmentComment } from '../../core/cni/masq-plan.js';
import { loadPortmapConfig } from '../../core/cni/portmap-plan.js';
import type { Attachment } from './host-local.js';

export type PluginKind = 'bridge' | 'host-local' | 'loopback' | 'portmap';

const KINDS: Record<string, PluginKind> = {
  'podnet-bridge': 'bridge', 'podnet-cni': 'bridge', bridge: 'bridge',
  'podnet-host-local': 'host-local', 'host-local': 'host-local',
  'podnet-loopback': 'loopback', loopback: 'loopback',
  'podnet-portmap': 'portmap', portmap: 'portmap',
};

export const PLUGIN_TYPES = Object.keys(KINDS);

export function pluginKind(name: string | undefined): PluginKind | undefined {
  return name ? KINDS[name] : undefined;
}

export interface InvokeOptions {
  /** Run this plugin whatever the configuration's type says (an IPAM plugin gets its parent's configuration). */
  plugin?: string;
}

export interface InvokeOutcome {
  exitCode: number;
  /** What a plugin binary prints on stdout: the result, the VERSION answer, or the error object. */
  stdout: string;
}

/** cni.dev/valid-attachments (or the older cni.dev/attachments) of a GC call. */
function validAttachments(conf: Record<string, unknown>): Attachment[] {
  const raw = conf['cni.dev/valid-attachments'] ?? conf['cni.dev/attachments'] ?? [];
  if (!Array.isArray(raw)) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, 'cni.dev/valid-attachments must be a list of {"containerID", "ifname"}');
  }
  return raw.map((a) => {
    const o = (a ?? {}) as Record<string, unknown>;
    return { containerID: String(o.containerID ?? ''), ifname: String(o.ifname ?? '') };
  });
}

// Each plugin's modules are imported when first used: a stand-alone plugin process (a Node start per
// call) then loads only what its call needs.
async function dispatch(req: Request, env: CniEnv, opts: InvokeOptions): Promise<Result | null> {
  const kind = pluginKind(opts.plugin) ?? pluginKind(String(req.conf.type ?? ''));
  if (!kind) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `podnet-cni does not implement plugin type ${JSON.stringify(req.conf.type ?? '')}`,
      `use one of: ${PLUGIN_TYPES.join(', ')}`);
  }
  const { command } = req;
  switch (kind) {
    case 'bridge': {
      if (command === 'ADD') return (await import('./bridge.js')).bridgeAdd(req, env);
      if (command === 'DEL') { await (await import('./bridge.js')).bridgeDel(req); return null; }
      const c = await import('./bridge-check.js');
      if (command === 'CHECK') await c.bridgeCheck(req);
      else if (command === 'STATUS') await c.bridgeStatus(req);
      else await c.bridgeGc(req, validAttachments(req.conf));
      return null;
    }
    case 'host-local': {
      const h = await import('./host-local.js');
      if (command === 'ADD') return { ...(await h.hostLocalAdd(req.conf, req.args)), cniVersion: req.cniVersion };
      if (command === 'DEL') await h.hostLocalDel(req.conf, req.args);
      else if (command === 'CHECK') await h.hostLocalCheck(req.conf, req.args);
      else if (command === 'STATUS') await h.hostLocalStatus(req.conf, req.args);
      else await h.hostLocalGc(req.conf, req.args, validAttachments(req.conf));
      return null;
    }
    case 'loopback': {
      if (command === 'STATUS' || command === 'GC') return null; // always ready; keeps no state
      const l = await import('./loopback.js');
      if (command === 'ADD') return l.loopbackAdd(req, env);
      if (command === 'DEL') await l.loopbackDel(req);
      else await l.loopbackCheck(req);
      return null;
    }
    case 'portmap': {
      if (command === 'STATUS') { loadPortmapConfig(req.conf); return null; }
      const p = await import('./portmap.js');
      if (command === 'ADD') return p.portmapAdd(req);
      if (command === 'DEL') await p.portmapDel(req);
      else if (command === 'CHECK') await p.portmapCheck(req);
      else await p.portmapGc(req.conf, new Set(validAttachments(req.conf).map((a) => attachmentComment(String(req.conf.name), a.containerID, a.ifname))));
      return null;
    }
  }
}

/**
 * One CNI call, exactly as a plugin binary would answer it: never throws; the outcome carries the
 * exit code and the text for stdout (the result, or the error object with a non-zero exit).
 */
export async function cniInvoke(env: CniEnv, stdin: string, opts: InvokeOptions = {}): Promise<InvokeOutcome> {
  let version: string | undefined;
  try {
    const req = parseRequest(env, stdin);
    version = req.cniVersion || undefined;
    if (req.command === 'VERSION') return { exitCode: 0, stdout: `${JSON.stringify(versionInfo(req.cniVersion))}\n` };
    const result = await dispatch(req, env, opts);
    return { exitCode: 0, stdout: result ? goJson(formatResult(result, req.cniVersion)) : '' };
  } catch (e) {
    const err = asCniError(e);
    return { exitCode: 1, stdout: goJson(err.toObject(version)) };
  }
}
