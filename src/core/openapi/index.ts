// OpenAPI: the upstream types with descriptions (from @kubernetes/client-node's generated models), the
// component schemas and documents kube-apiserver serves, and /openapi/v2's protobuf form.
export { loadModel, modelNameForKind, type Model, type ModelProperty } from './models.js';
export { buildComponents, schemaName, type Schema, type Gvk } from './components.js';
export { v3Document, v2Document, gvPath } from './documents.js';
export { encodeV2Document, OPENAPI_V2_PROTOBUF } from './v2-protobuf.js';
