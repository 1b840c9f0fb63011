// Field selectors (`?fieldSelector=spec.nodeName=node-1`): equality on a few fields per kind, exactly
// the fields kube-apiserver supports, so informers by node and kubectl describe's event lookup work.
import type { KubeObject } from './object.js';
import { badRequestError } from './errors.js';

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

type Getter = (o: any) => string | undefined;

const COMMON: Record<string, Getter> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

const BY_KIND: Record<string, Record<string, Getter>> = {
  Pod: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
    'spec.schedulerName': (o) => o.spec?.schedulerName,
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork ?? false),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  Event: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    'reason': (o) => o.reason ?? '',
    'reportingComponent': (o) => o.reportingComponent ?? '',
    'source': (o) => o.source?.component ?? o.reportingComponent ?? '',
    'type': (o) => o.type ?? '',
  },
  Secret: { 'type': (o) => o.type ?? '' },
  Namespace: { 'status.phase': (o) => o.status?.phase ?? '' },
  Node: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable ?? false) },
  ReplicaSet: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
};

/** Parses `a=b,c!=d` (also `==`) for a kind; unknown fields get upstream's 400 message. */
export function parseFieldSelector(kind: string, text: string | undefined): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  const getters = { ...COMMON, ...(BY_KIND[kind] ?? {}) };
  return text.split(',').map((t) => t.trim()).filter(Boolean).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequestError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1].trim();
    if (!getters[field]) {
      throw badRequestError(`field label not supported: ${field}`);
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
  });
}

export function matchesFields(kind: string, reqs: FieldRequirement[], obj: KubeObject): boolean {
  if (reqs.length === 0) return true;
  const getters = { ...COMMON, ...(BY_KIND[kind] ?? {}) };
  return reqs.every((r) => {
    const v = getters[r.field](obj) ?? '';
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}
