// Which Ingresses a controller serves, as ingress-nginx decides it: spec.ingressClassName names an
// IngressClass whose spec.controller is the controller's; or, without a class field, the deprecated
// `kubernetes.io/ingress.class` annotation names that class; or, with neither, the controller's class
// is the cluster's default (the DefaultIngressClass admission assigns it to new Ingresses; this covers
// Ingresses created before the class existed).
import type { JsonObject, KubeObject } from '../api/object.js';

export const INGRESS_CLASS_DEFAULT_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function ingressClassOwns(ing: KubeObject, classes: KubeObject[], controller: string): boolean {
  const ours = classes.filter((c) => (c as JsonObject).spec?.controller === controller);
  const className = (ing as JsonObject).spec?.ingressClassName as string | undefined;
  if (className) return ours.some((c) => c.metadata.name === className);
  const legacy = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return ours.some((c) => c.metadata.name === legacy);
  return ours.some((c) => c.metadata.annotations?.[INGRESS_CLASS_DEFAULT_ANNOTATION] === 'true');
}
