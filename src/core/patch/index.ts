// The three patch types of the Kubernetes API: strategic merge patch, JSON merge patch, JSON patch.
export { applyStrategicMergePatch, applyStrategicMergePatchWithSchema } from './strategic.js';
export { applyMergePatch } from './merge.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './jsonpatch.js';
export { PatchError } from './errors.js';
export { type FieldMeta, type StructSchema, schemaFor, schemaKinds, lookupField } from './schemas.js';
