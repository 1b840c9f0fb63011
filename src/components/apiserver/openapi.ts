// The OpenAPI documents, served as kube-apiserver serves them: /openapi/v3 lists a document per
// group-version with a content hash in its URL (`?hash=`), each document carries an ETag and is
// immutable under its hashed URL, so kubectl's disk cache revalidates with If-None-Match and gets a 304;
// /openapi/v2 is one document in protobuf (what kubectl asks for) or JSON. The documents are built once,
// on first use, from the resource registry and the upstream types (core/openapi).
import { createHash } from 'node:crypto';
import { RESOURCES } from '../../core/api/resources.js';
import { encodeV2Document, gvPath, v2Document, v3Document, OPENAPI_V2_PROTOBUF } from '../../core/openapi/index.js';

export interface Doc { body: Buffer; hash: string; contentType: string }

let v3: Map<string, Doc> | undefined;
let v2: { json: Doc; protobuf: Doc } | undefined;

function doc(body: Buffer, contentType: string): Doc {
  return { body, contentType, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

function v3Documents(): Map<string, Doc> {
  if (!v3) {
    v3 = new Map();
    for (const gv of [...new Set(RESOURCES.map(gvPath))].sort()) {
      v3.set(gv, doc(Buffer.from(JSON.stringify(v3Document(gv, RESOURCES))), 'application/json'));
    }
  }
  return v3;
}

/** The /openapi/v3 index: a serverRelativeURL with a content hash per group-version. */
export function openapiIndex(): string {
  const paths: Record<string, object> = {};
  for (const [gv, d] of v3Documents()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${d.hash}` };
  return JSON.stringify({ paths });
}

/** The document for `api/v1`, `apis/apps/v1`, ...; undefined if not served. */
export function openapiDocument(gv: string): Doc | undefined {
  return v3Documents().get(gv);
}

/** /openapi/v2: protobuf when the client accepts it (kubectl does), JSON otherwise. */
export function openapiV2(accept: string | undefined): Doc {
  if (!v2) {
    const d = v2Document(RESOURCES);
    v2 = {
      json: doc(Buffer.from(JSON.stringify(d)), 'application/json'),
      protobuf: doc(encodeV2Document(d as never), OPENAPI_V2_PROTOBUF),
    };
  }
  return (accept ?? '').includes('protobuf') ? v2.protobuf : v2.json;
}
