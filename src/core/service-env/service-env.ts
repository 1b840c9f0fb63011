// Service environment variables, as kubelet makes them for every container (pkg/kubelet/envvars and
// kubelet's getServiceEnvVarMap): for each visible Service with a ClusterIP,
//
//   <NAME>_SERVICE_HOST=<clusterIP>            <NAME>_SERVICE_PORT=<first port>
//   <NAME>_SERVICE_PORT_<PORTNAME>=<port>      (every named port)
//   <NAME>_PORT=<proto>://<clusterIP>:<first port>                          (Docker links style)
//   <NAME>_PORT_<port>_<PROTO>=<proto>://<clusterIP>:<port>, and ..._PROTO, ..._PORT, ..._ADDR (every port)
//
// where NAME is the Service (or port) name upper-cased with '-' → '_' (Service names are DNS-1035 labels,
// so nothing else needs mapping: kubelet does exactly this, nothing more).
//
// Which Services are visible (getServiceEnvVarMap): the `kubernetes` Service of the `default` namespace
// always, even with enableServiceLinks: false; every Service of the pod's own namespace when
// enableServiceLinks is true or unset (the default); a Service of the pod's namespace wins over the
// `kubernetes` one of `default` when names clash. Headless Services (clusterIP None) and those with no
// ClusterIP (ExternalName) are left out. "Existing Services" means the ones in the kubelet's Service
// cache when the container is started: a Service created later shows up only in containers started
// after it (a restart), and the caller must not build the environment before its cache has listed once.

/** The fields of a v1 Service that the variables come from. */
export interface EnvService {
  metadata: { name?: string; namespace?: string };
  spec?: {
    clusterIP?: string;
    ports?: Array<{ name?: string; port: number; protocol?: string }>;
  };
}

/** The fields of a v1 Pod that decide which Services it sees. */
export interface EnvPod {
  metadata?: { namespace?: string };
  spec?: { enableServiceLinks?: boolean | null };
}

export interface EnvVar { name: string; value: string }

/** The namespace whose `kubernetes` Service every pod sees (metav1.NamespaceDefault). */
export const MASTER_NAMESPACE = 'default';
/** kubelet's masterServices: Services of MASTER_NAMESPACE every pod sees. */
export const MASTER_SERVICES: ReadonlySet<string> = new Set(['kubernetes']);

/** Whether a Service has a usable ClusterIP (v1helper.IsServiceIPSet: neither empty nor None). */
export function isServiceIPSet(svc: EnvService): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** kubelet's makeEnvVariableName. */
export function envVariableName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

/** `ip:port`, with brackets for IPv6 (net.JoinHostPort). */
function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The Docker-link variables of one Service (makeLinkVariables). */
function linkVariables(svc: EnvService, clusterIP: string): EnvVar[] {
  const prefix = envVariableName(svc.metadata.name ?? '');
  const out: EnvVar[] = [];
  (svc.spec?.ports ?? []).forEach((sp, i) => {
    const protocol = sp.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(clusterIP, sp.port)}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const portPrefix = `${prefix}_PORT_${sp.port}_${protocol.toUpperCase()}`;
    out.push(
      { name: portPrefix, value: url },
      { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
      { name: `${portPrefix}_PORT`, value: String(sp.port) },
      { name: `${portPrefix}_ADDR`, value: clusterIP },
    );
  });
  return out;
}

/** The variables of the given Services, in order (envvars.FromServices); Services without ClusterIP are skipped. */
export function envVarsFromServices(services: readonly EnvService[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    // Validation gives every Service with a ClusterIP at least one port; one without would make kubelet
    // index past the end, so it is skipped rather than guessed at.
    if (!ports.length) continue;
    const clusterIP = svc.spec!.clusterIP!;
    const name = envVariableName(svc.metadata.name ?? '');
    out.push({ name: `${name}_SERVICE_HOST`, value: clusterIP });
    out.push({ name: `${name}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const sp of ports) {
      if (sp.name) out.push({ name: `${name}_SERVICE_PORT_${envVariableName(sp.name)}`, value: String(sp.port) });
    }
    out.push(...linkVariables(svc, clusterIP));
  }
  return out;
}

/** The Services a pod sees, by name (getServiceEnvVarMap's projection). */
export function visibleServices(pod: EnvPod, services: readonly EnvService[]): EnvService[] {
  const ns = pod.metadata?.namespace || 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const byName = new Map<string, EnvService>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata.name ?? '';
    const svcNs = svc.metadata.namespace || 'default';
    if (svcNs === MASTER_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (svcNs === ns && links) {
      byName.set(name, svc);
    }
  }
  // kubelet walks a map (random order) and the result is a map again; sort for stable output.
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

/**
 * The Service variables a container of `pod` starts with, from the Services that exist now. Variables
 * the container defines itself (env, envFrom) override these; the pod runtime merges them in that order.
 */
export function serviceEnvironment(pod: EnvPod, services: readonly EnvService[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of envVarsFromServices(visibleServices(pod, services))) out[v.name] = v.value;
  return out;
}
