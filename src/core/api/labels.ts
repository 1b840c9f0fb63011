// Label selectors: the string syntax of `kubectl get -l` and `?labelSelector=` (apimachinery
// pkg/labels), and the structured LabelSelector of specs (matchLabels + matchExpressions).
import { type FieldError, invalid } from './errors.js';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface Requirement { key: string; op: Operator; values: string[] }

/** A parsed selector: every requirement must hold. The empty selector matches everything. */
export type Selector = Requirement[];

export class SelectorParseError extends Error {}

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

function checkKey(key: string): void {
  if (!KEY_RE.test(key) || key.length > 316) throw new SelectorParseError(`invalid label key "${key}"`);
}

function checkValue(v: string): void {
  if (!VALUE_RE.test(v) || v.length > 63) throw new SelectorParseError(`invalid label value: "${v}"`);
}

/** Parses `app=web,tier!=db,env in (a,b),!legacy,release`. Throws SelectorParseError. */
export function parseSelector(text: string | undefined): Selector {
  if (!text || !text.trim()) return [];
  return splitTerms(text).map((term) => {
    let m = /^!\s*(\S+)$/.exec(term);
    if (m) { checkKey(m[1]); return { key: m[1], op: '!' as Operator, values: [] }; }
    m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (m) {
      checkKey(m[1]);
      const values = m[3].split(',').map((v) => v.trim());
      values.forEach(checkValue);
      return { key: m[1], op: m[2] as Operator, values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      checkKey(m[1]); checkValue(m[3]);
      return { key: m[1], op: (m[2] === '!=' ? '!=' : '=') as Operator, values: [m[3]] };
    }
    m = /^(\S+)$/.exec(term);
    if (m) { checkKey(m[1]); return { key: m[1], op: 'exists' as Operator, values: [] }; }
    throw new SelectorParseError(`unable to parse requirement: "${term}"`);
  });
}

export function matches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=': if (!has || v !== r.values[0]) return false; break;
      case '!=': if (has && v === r.values[0]) return false; break;
      case 'in': if (!has || !r.values.includes(v)) return false; break;
      case 'notin': if (has && r.values.includes(v)) return false; break;
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
    }
  }
  return true;
}

export interface LabelSelectorRequirement { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

/** Converts a spec's LabelSelector. An absent selector gives undefined (matches nothing, as upstream). */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector | undefined {
  if (!ls) return undefined;
  const out: Selector = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) out.push({ key, op: '=', values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const op: Operator = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin'
      : e.operator === 'Exists' ? 'exists' : '!';
    out.push({ key: e.key, op, values: e.values ?? [] });
  }
  return out;
}

/** `app=web,tier in (a,b)`: the string form, as Scale.status.selector and kubectl show it. */
export function selectorString(sel: Selector): string {
  // Upstream's Selector.String() lists requirements sorted by key.
  return [...sel].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => {
    switch (r.op) {
      case '=': return `${r.key}=${r.values[0]}`;
      case '!=': return `${r.key}!=${r.values[0]}`;
      case 'in': case 'notin': return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`;
      case 'exists': return r.key;
      case '!': return `!${r.key}`;
    }
  }).join(',');
}

/** Validates a selector string given as a query parameter (for a 400 with a clear reason). */
export function selectorErrors(field: string, text: string): FieldError[] {
  try { parseSelector(text); return []; } catch (e) { return [invalid(field, text, (e as Error).message)]; }
}
