// The bridge plugin's configuration: the reference bridge's keys and defaults (cni0, no gateway,
// no masquerade, kernel MTU), its MAC precedence (CNI_ARGS MAC < args.cni.mac < runtimeConfig.mac)
// and the option combinations it refuses, plus podnet's one extra key, ipMasqTable.
import { CniError, ErrorCode } from './errors.js';
import type { DNS } from './result.js';
import {
  type Json, MAC_RE, getBool, getDNS, getInt, getObject, getString, invalid, isValidLinkName, isValidNftName, unsupported,
} from './netconf.js';

export interface BridgeConfig {
  name: string;
  cniVersion: string;
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  forceAddress: boolean;
  ipMasq: boolean;
  /** 0: leave the kernel default. */
  mtu: number;
  hairpinMode: boolean;
  promiscMode: boolean;
  enableDad: boolean;
  /** Requested container MAC, lower case. */
  mac?: string;
  /** The IPAM plugin type; '' means layer 2 only (no addresses). */
  ipamType: string;
  dns?: DNS;
  /** nftables table (families ip and ip6) holding the ipMasq rules. */
  ipMasqTable: string;
}

export const DEFAULT_BRIDGE = 'cni0';
export const DEFAULT_MASQ_TABLE = 'podnet_masquerade';

/** Checked on ADD only, as in the reference (a DEL with such a configuration still cleans up). */
export function checkBridgeAddOptions(cfg: BridgeConfig): void {
  if (cfg.hairpinMode && cfg.promiscMode) {
    throw new CniError(ErrorCode.Internal, 'cannot set hairpin mode and promiscuous mode at the same time.');
  }
}

export function loadBridgeConfig(conf: Json, cniArgs: Map<string, string>): BridgeConfig {
  const bridge = getString(conf, 'bridge', DEFAULT_BRIDGE) || DEFAULT_BRIDGE;
  if (!isValidLinkName(bridge) || !/^[^"'#\\]+$/.test(bridge)) {
    throw invalid(`invalid bridge name ${JSON.stringify(bridge)}`, 'a Linux interface name has 1-15 characters and no "/", ":" or whitespace (podnet also refuses quotes, "#" and "\\")');
  }
  const vlan = getInt(conf, 'vlan', 0);
  if (vlan < 0 || vlan > 4094) throw new CniError(ErrorCode.Internal, `invalid VLAN ID ${vlan} (must be between 0 and 4094)`);
  if (vlan !== 0) throw unsupported('vlan', vlan, 'bridge VLAN filtering is not available on this kernel; remove "vlan"');
  if (conf.vlanTrunk !== undefined) throw unsupported('vlanTrunk', conf.vlanTrunk, 'bridge VLAN filtering is not available on this kernel; remove "vlanTrunk"');
  if (getBool(conf, 'macspoofchk')) throw unsupported('macspoofchk', true, 'podnet\'s bridge does not implement MAC spoof checking; remove "macspoofchk"');
  const backend = getString(conf, 'ipMasqBackend', '');
  if (backend !== '' && backend !== 'nftables') {
    throw unsupported('ipMasqBackend', backend, 'podnet masquerades with nftables only; remove "ipMasqBackend" or set it to "nftables"');
  }
  const mtu = getInt(conf, 'mtu', 0);
  if (mtu < 0 || mtu > 65535) throw invalid(`invalid mtu ${mtu}`, 'use 68-65535, or leave it out for the kernel default');

  let mac: string | undefined = cniArgs.get('MAC') || undefined;
  const argsCni = getObject(getObject(conf, 'args') ?? {}, 'cni', 'args.cni');
  const argsMac = argsCni ? getString(argsCni, 'mac', '', 'args.cni.mac') : '';
  if (argsMac) mac = argsMac;
  const rc = getObject(conf, 'runtimeConfig');
  const rcMac = rc ? getString(rc, 'mac', '', 'runtimeConfig.mac') : '';
  if (rcMac) mac = rcMac;
  if (mac !== undefined && !MAC_RE.test(mac)) {
    throw new CniError(ErrorCode.Internal, `invalid MAC address ${JSON.stringify(mac)}`, 'expected six colon-separated hex bytes, e.g. c2:11:22:33:44:55');
  }

  const ipam = getObject(conf, 'ipam');
  const isDefaultGateway = getBool(conf, 'isDefaultGateway');
  const cfg: BridgeConfig = {
    name: String(conf.name),
    cniVersion: String(conf.cniVersion ?? '0.1.0'),
    bridge,
    isDefaultGateway,
    // isDefaultGateway implies isGateway, as in the reference.
    isGateway: getBool(conf, 'isGateway') || isDefaultGateway,
    forceAddress: getBool(conf, 'forceAddress'),
    ipMasq: getBool(conf, 'ipMasq'),
    mtu,
    hairpinMode: getBool(conf, 'hairpinMode'),
    promiscMode: getBool(conf, 'promiscMode'),
    enableDad: getBool(conf, 'enabledad'),
    mac: mac?.toLowerCase(),
    ipamType: ipam ? getString(ipam, 'type', '', 'ipam.type') : '',
    dns: getDNS(conf),
    ipMasqTable: getString(conf, 'ipMasqTable', DEFAULT_MASQ_TABLE) || DEFAULT_MASQ_TABLE,
  };
  if (!isValidNftName(cfg.ipMasqTable)) {
    throw invalid(`invalid ipMasqTable ${JSON.stringify(cfg.ipMasqTable)}`, 'use letters, digits and "_", starting with a letter');
  }
  return cfg;
}
