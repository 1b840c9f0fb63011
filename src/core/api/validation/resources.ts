// Container resource requirements: resource names, non-negative quantities, requests not above limits
// (pkg/apis/core/validation validateResourceRequirements). Quantities are compared by value; a quantity
// that does not parse is a decoding error upstream (400), reported there, so it is skipped here.
import { type FieldError, forbidden, invalid, required } from '../errors.js';
import { isQualifiedName } from './formats.js';
import { isObj } from './go-values.js';

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, u: 1e-6, n: 1e-9, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity (`500m`, `1Gi`, `1e3`), or undefined when it does not parse. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ''];
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** helper.IsStandardResourceName: container resources plus the names quotas count. */
const STANDARD_RESOURCES = new Set([...STANDARD_CONTAINER_RESOURCES, 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers']);
const isHugePages = (name: string) => /^(requests\.)?hugepages-/.test(name);
const OVERCOMMIT_FORBIDDEN = (name: string) => name.startsWith('hugepages-') || (!isNative(name) && name.includes('/'));
const isNative = (name: string) => !name.includes('/') || name.startsWith('kubernetes.io/') || /^[^/]*\.kubernetes\.io\//.test(name);
const INTEGER_RESOURCES = (name: string) => !isNative(name) && name.includes('/');

function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && (name.startsWith('requests.') || isQualifiedName(`requests.${name}`).length > 0)) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function quantityErrors(name: string, q: unknown, field: string): FieldError[] {
  const v = parseQuantity(q);
  if (v === undefined) return [];
  const errs: FieldError[] = [];
  if (v < 0) errs.push(invalid(field, String(q), 'must be greater than or equal to 0'));
  if (INTEGER_RESOURCES(name) && !Number.isInteger(Math.round(v * 1000) / 1000)) errs.push(invalid(field, String(q), 'must be an integer'));
  return errs;
}

export function validateResources(resources: unknown, field: string): FieldError[] {
  if (!isObj(resources)) return [];
  const errs: FieldError[] = [];
  const limits = isObj(resources.limits) ? resources.limits : {};
  const requests = isObj(resources.requests) ? resources.requests : {};
  let cpuOrMemory = false, hugePages = false;
  for (const [name, q] of Object.entries(limits)) {
    const p = `${field}.limits[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...quantityErrors(name, q, p));
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (name.startsWith('hugepages-')) hugePages = true;
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = `${field}.requests[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...quantityErrors(name, q, p));
    const req = parseQuantity(q);
    if (name in limits) {
      const lim = parseQuantity(limits[name]);
      if (req !== undefined && lim !== undefined) {
        if (req !== lim && OVERCOMMIT_FORBIDDEN(name)) {
          errs.push(invalid(`${field}.requests`, String(q), `must be equal to ${name} limit of ${String(limits[name])}`));
        } else if (req > lim) {
          errs.push(invalid(`${field}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
        }
      }
    } else if (OVERCOMMIT_FORBIDDEN(name)) {
      errs.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (name.startsWith('hugepages-')) hugePages = true;
  }
  if (!cpuOrMemory && hugePages) errs.push(forbidden(field, 'HugePages require cpu or memory'));
  return errs;
}
