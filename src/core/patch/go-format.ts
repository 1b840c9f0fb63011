// Go's fmt rendering of decoded JSON values (interface{} holding map[string]interface{}, []interface{},
// string, int64, float64, bool or nil). Upstream patch errors embed values with %v, so podnet renders them
// the same way: `map[containerPort:80 name:web]`, `[a b]`, `<nil>`.

/** apimachinery's JSON decoder keeps integral numbers as int64 and the rest as float64. */
function isInt64(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

/** %v of a float64: the shortest representation, in exponent form (`1.5e+06`) outside 1e-4 <= |n| < 1e6. */
function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // strconv 'g' with the shortest precision switches to %e when exp < -4 || exp >= 6 (eprec = 6).
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

/** fmt's %v of a decoded JSON value. Map keys are printed sorted, as fmt does since Go 1.12. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return isInt64(v) ? String(v) : goFloat(v);
  return String(v);
}

/** reflect.TypeOf(v).String() for a decoded JSON value. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return isInt64(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
