// Ingress: the pure half of podnet's ingress-nginx controller. planIngressRoutes builds the route table,
// renderNginxConf turns it into nginx.conf, matchIngressRoute answers "which route takes this request"
// by the same rules (for `podnet trace`).
export * from './types.js';
export { planIngressRoutes, readyEndpoints, byAge } from './plan.js';
export { matchIngressRoute, selectServer, type IngressMatch } from './match.js';
export { renderNginxConf, certificateFileName, quote, type NginxLayout } from './nginx-conf.js';
export { parseAnnotations, ANNOTATION_PREFIX, AnnotationError, type IngressAnnotations } from './annotations.js';
export { prefixMatches, normalizePrefix, normalizeHost, wildcardMatches } from './paths.js';
export { ingressClassOwns, INGRESS_CLASS_DEFAULT_ANNOTATION, LEGACY_CLASS_ANNOTATION } from './ownership.js';
