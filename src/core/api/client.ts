// The API as a typed interface: what controllers inside `podnet server` use to read and write objects.
// The API server's registry implements it in process (same validation, defaulting and watch semantics
// as HTTP requests get); resources are named as kubectl names them: 'pods', 'deployments.apps'.
import type { KubeObject } from './object.js';
import type { Status } from './errors.js';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResponse {
  items: KubeObject[];
  resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  /** Deliver changes after this resourceVersion; '0' or absent: synthetic ADDED events for the current state first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Over HTTP: the server ends the watch after this long (the client then resumes it). */
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Status;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** `apply` is server-side apply (application/apply-patch+yaml). */
export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';

export interface ApiClient {
  get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(resource: string, opts?: ListOptions): Promise<ListResponse>;
  /**
   * Errors are ApiError carrying the Status an HTTP client would get. With subresource 'binding' (resource
   * 'pods'), obj is a v1 Binding naming the pod in its metadata and the node in `target` (the scheduler's call).
   */
  create(resource: string, obj: KubeObject, subresource?: 'binding'): Promise<KubeObject>;
  /**
   * PUT semantics: metadata.resourceVersion, when set, must match (409 Conflict otherwise). 'finalize' is the
   * namespaces subresource that alone may change spec.finalizers (the namespace controller's call).
   */
  update(resource: string, obj: KubeObject, subresource?: 'status' | 'scale' | 'finalize'): Promise<KubeObject>;
  patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType,
    subresource?: 'status' | 'scale'): Promise<KubeObject>;
  /** Returns the object if deletion is graceful (still present, with deletionTimestamp), else undefined. */
  delete(resource: string, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined>;
  /** Calls onEvent for each event until stop(); onClose fires if the stream ends (e.g. 410). */
  watch(resource: string, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onClose?: (err?: Error) => void): Promise<{ stop(): void }>;
}
