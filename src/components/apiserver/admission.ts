// Admission: checks and mutations that need more than the object itself (other objects, allocators),
// run by the registry after defaulting and validation and before the write, as kube-apiserver's
// admission chain and REST-storage hooks do. A plugin that reserves something (an IP, a port) must undo
// it in `abort` when the write does not happen.
import type { KubeObject } from '../../core/api/object.js';
import type { ResourceInfo } from '../../core/api/resources.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  info: ResourceInfo;
  subresource?: string;
  object: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  /** True when this write removes the object from the store (not just marks it for deletion). */
  removes: boolean;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Validates or mutates attrs.object; throws ApiError to refuse. */
  admit(attrs: AdmissionAttributes): Promise<void> | void;
  /** The write was stored (or was a dry run): commit or release what admit reserved. */
  committed?(attrs: AdmissionAttributes): Promise<void> | void;
  /** The write failed after admit: release what admit reserved. */
  abort?(attrs: AdmissionAttributes): Promise<void> | void;
}
