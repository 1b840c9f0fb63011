// Server-side apply and managed fields: field paths and FieldsV1, the typed operations of
// structured-merge-diff, and the field manager kube-apiserver runs on every write.
export { FieldSet, pathString, type Path, type PathElement } from './fieldpath.js';
export { TypeModel, typeModelFor, type TypeNode } from './types.js';
export { validate, toFieldSet, compare, merge, removeItems, TypedError } from './typed.js';
export {
  apply, recordUpdate, decodeManagedFields, encodeManagedFields, applyConflictError, managerIdentifier, zeroObject,
  BEFORE_FIRST_APPLY, type Context, type Scope, type ApplyResult, type Managers,
} from './managed.js';
