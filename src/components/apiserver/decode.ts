// Request bodies: JSON, YAML or Kubernetes protobuf (which kubectl's typed generators send: `kubectl create
// namespace|deployment|service ...`), at most 3 MiB (kube-apiserver's limit), and strict decoding — unknown
// fields are refused (fieldValidation=Strict), reported as warnings (Warn, the default) or dropped (Ignore),
// and never stored.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequestError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';
import { unknownFields } from '../../core/api/fields/index.js';
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE, ProtobufDecodeError } from '../../core/protobuf/index.js';

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 413,
        reason: 'RequestEntityTooLarge', message: `the request body is larger than ${MAX_BODY} bytes` });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON, YAML or protobuf body; a malformed one is a 400 that says where it broke. */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === PROTOBUF_CONTENT_TYPE) {
    try { return decodeKubernetesProtobuf(body); } catch (e) {
      if (e instanceof ProtobufDecodeError) throw badRequestError(e.message);
      throw e;
    }
  }
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequestError('the request body is empty; send the object as JSON');
  const yaml = mediaType.includes('yaml');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const what = yaml ? 'yaml' : 'json';
    throw badRequestError(`couldn't get version/kind; ${what} parse error: ${(e as Error).message}`);
  }
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(param: string | null): FieldValidation {
  if (param === null || param === '') return 'Warn';
  if (param === 'Strict' || param === 'Warn' || param === 'Ignore') return param;
  throw badRequestError(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${param}"`);
}

/**
 * Applies fieldValidation to a decoded object: Strict throws upstream's strict-decoding error; Warn adds
 * `unknown field "x"` warnings. Unknown fields are removed in every mode.
 */
export function checkUnknownFields(obj: KubeObject, mode: FieldValidation, warnings: string[]): void {
  let unknown: string[];
  try { unknown = unknownFields(obj); } catch { return; } // a kind the field tables don't know: leave it
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    const version = obj.apiVersion;
    throw badRequestError(`${obj.kind} in version "${version.split('/').pop()}" cannot be handled as a ${obj.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  if (mode === 'Warn') for (const f of unknown) warnings.push(`unknown field "${f}"`);
  for (const f of unknown) deletePath(obj, f);
}

/** Deletes `spec.containers[0].imagee` from an object. */
function deletePath(obj: unknown, path: string): void {
  const parts = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur: any = obj;
  for (let i = 0; i < parts.length - 1 && cur !== undefined && cur !== null; i++) {
    const p = parts[i];
    cur = p.startsWith('[') ? cur[Number(p.slice(1, -1))] : cur[p];
  }
  const last = parts[parts.length - 1];
  if (cur && typeof cur === 'object' && last && !last.startsWith('[')) delete cur[last];
}
