// The DefaultIngressClass admission plugin (plugin/pkg/admission/network/defaultingressclass): a new
// Ingress that names no class, neither in spec.ingressClassName nor in the deprecated
// kubernetes.io/ingress.class annotation, gets the IngressClass annotated
// ingressclass.kubernetes.io/is-default-class: "true". With more than one default class such an Ingress
// is refused, as the Kubernetes documentation says, because which one is meant cannot be known.
import { forbiddenError } from '../../core/api/errors.js';
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject } from '../../core/api/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

const DEFAULT_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_ANNOTATION = 'kubernetes.io/ingress.class';

export class DefaultIngressClass implements AdmissionPlugin {
  readonly name = 'DefaultIngressClass';

  constructor(private readonly client: Pick<ApiClient, 'list'>) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.kind !== 'Ingress' || attrs.info.group !== 'networking.k8s.io') return;
    const ing = attrs.object as JsonObject;
    if (ing.spec?.ingressClassName) return;
    if (ing.metadata?.annotations?.[LEGACY_ANNOTATION] !== undefined) return;
    const { items } = await this.client.list('ingressclasses.networking.k8s.io');
    const defaults = items.filter((c) => c.metadata.annotations?.[DEFAULT_ANNOTATION] === 'true');
    if (defaults.length === 0) return;
    if (defaults.length > 1) {
      throw forbiddenError(attrs.info, attrs.object.metadata.name ?? '',
        `${defaults.length} default IngressClasses were found (${defaults.map((c) => c.metadata.name).sort().join(', ')}), only 1 allowed; set spec.ingressClassName, or keep ${DEFAULT_ANNOTATION}: "true" on one class only`);
    }
    ing.spec = { ...(ing.spec ?? {}), ingressClassName: defaults[0].metadata.name };
  }
}
