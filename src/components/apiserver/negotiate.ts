// Content negotiation for responses: plain JSON, or a meta.k8s.io Table when kubectl asks for one
// (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io, ...`).

export interface TableRequest { version: 'v1' | 'v1beta1' }

export function wantsTable(accept: string | undefined): TableRequest | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => {
      const [k, v] = p.trim().split('=');
      return [k, v] as [string, string];
    }));
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      return { version: params.get('v') === 'v1beta1' ? 'v1beta1' : 'v1' };
    }
  }
  return undefined;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(param: string | null): IncludeObject {
  return param === 'None' || param === 'Object' ? param : 'Metadata';
}
