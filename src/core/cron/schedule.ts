// CronJob schedules as upstream reads them (robfig/cron v3 ParseStandard, which the CronJob controller
// and its validation use): five fields (minute hour day-of-month month day-of-week) with `*`, `?`,
// ranges, steps, lists and month/day names, or a descriptor (@yearly, @annually, @monthly, @weekly,
// @daily, @midnight, @hourly, @every <duration>). Error texts are robfig's, which kube-apiserver puts in
// its Invalid messages. Times are computed in an IANA time zone through Intl, as Go's time.LoadLocation.

interface Bounds { min: number; max: number; names?: Record<string, number> }

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DAYS },
];

export class CronParseError extends Error {}

interface Field { values: Set<number>; star: boolean }

export type Schedule =
  | { kind: 'spec'; minute: Field; hour: Field; dom: Field; month: Field; dow: Field }
  | { kind: 'every'; ms: number };

function parseInt10(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new CronParseError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

function parseValue(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? named : parseInt10(s);
}

/** One comma-separated part: `*`, `?`, `a`, `a-b`, with an optional `/step` (robfig getRange). */
function parseRange(expr: string, b: Bounds, field: Field): void {
  const slash = expr.split('/');
  if (slash.length > 2) throw new CronParseError(`too many slashes: ${expr}`);
  const lowAndHigh = slash[0].split('-');
  let start: number, end: number, star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min; end = b.max; star = true;
  } else {
    start = parseValue(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseValue(lowAndHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (slash.length === 2) {
    step = parseInt10(slash[1]);
    // "N/step" means N-max/step.
    if (!star && lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) field.values.add(v);
  if (star) field.star = true;
}

function parseField(text: string, b: Bounds): Field {
  const f: Field = { values: new Set(), star: false };
  for (const part of text.split(',')) parseRange(part, b, f);
  return f;
}

const every = (min: number, max: number): Field => ({ values: new Set(Array.from({ length: max - min + 1 }, (_, i) => min + i)), star: true });
const only = (...v: number[]): Field => ({ values: new Set(v), star: false });

/** Go's time.ParseDuration for the units a schedule uses (ns…h); returns milliseconds. */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  if (s === '0') return 0;
  let total = 0, i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * units[m[2]];
    i = re.lastIndex;
  }
  if (s.length === 0) throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ""`);
  return total;
}

function descriptor(spec: string): Schedule {
  const std = (minute: Field, hour: Field, dom: Field, month: Field, dow: Field): Schedule => ({ kind: 'spec', minute, hour, dom, month, dow });
  switch (spec) {
    case '@yearly': case '@annually': return std(only(0), only(0), only(1), only(1), every(0, 6));
    case '@monthly': return std(only(0), only(0), only(1), every(1, 12), every(0, 6));
    case '@weekly': return std(only(0), only(0), every(1, 31), every(1, 12), only(0));
    case '@daily': case '@midnight': return std(only(0), only(0), every(1, 31), every(1, 12), every(0, 6));
    case '@hourly': return std(only(0), every(0, 23), every(1, 31), every(1, 12), every(0, 6));
  }
  if (spec.startsWith('@every ')) {
    const ms = parseGoDuration(spec.slice('@every '.length));
    // robfig rounds below one second up to one second.
    return { kind: 'every', ms: Math.max(1000, Math.floor(ms / 1000) * 1000) };
  }
  throw new CronParseError(`unrecognized descriptor: ${spec}`);
}

/**
 * Parses a standard schedule; throws CronParseError with robfig's message. A `TZ=` or `CRON_TZ=`
 * prefix is read as robfig reads it (the CronJob API refuses it in new objects; see validation).
 */
export function parseSchedule(spec: string): Schedule & { tz?: string } {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' '), eq = spec.indexOf('=');
    const tz = spec.slice(eq + 1, i < 0 ? undefined : i);
    if (!isKnownTimeZone(tz)) throw new CronParseError(`provided bad location ${tz}: unknown time zone ${tz}`);
    return { ...parseSchedule(i < 0 ? '' : spec.slice(i).trim()), tz };
  }
  if (spec.startsWith('@')) return descriptor(spec);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]));
  return { kind: 'spec', minute, hour, dom, month, dow };
}

// ---- time zones ------------------------------------------------------------------------------

/** True when `tz` names an IANA zone this runtime knows (Go's time.LoadLocation succeeds). */
export function isKnownTimeZone(tz: string): boolean {
  if (tz === '' || tz.trim() !== tz) return false;
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

interface Wall { y: number; mo: number; d: number; h: number; mi: number; dow: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wall(t: number, tz: string | undefined): Wall {
  if (!tz) {
    const d = new Date(t);
    return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), dow: d.getDay() };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = part.value;
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour) % 24, mi: Number(p.minute), dow: WEEKDAY[p.weekday] ?? 0 };
}

function dayMatches(s: Extract<Schedule, { kind: 'spec' }>, w: Wall): boolean {
  const domOk = s.dom.values.has(w.d), dowOk = s.dow.values.has(w.dow);
  // robfig: when either field is a star, both must match; otherwise either may.
  return s.dom.star || s.dow.star ? domOk && dowOk : domOk || dowOk;
}

const MINUTE = 60_000;

/**
 * The first activation strictly after `after` (ms since epoch) in time zone `tz` (undefined: the
 * process's local zone), or undefined if there is none within five years (robfig gives up there too).
 */
export function nextActivation(s: Schedule, after: number, tz?: string): number | undefined {
  if (s.kind === 'every') return Math.floor(after / 1000) * 1000 + s.ms;
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = after + 5 * 366 * 24 * 60 * MINUTE;
  while (t <= limit) {
    const w = wall(t, tz);
    if (!s.month.values.has(w.mo) || !dayMatches(s, w)) { t += ((23 - w.h) * 60 + (60 - w.mi)) * MINUTE; continue; }
    if (!s.hour.values.has(w.h)) { t += (60 - w.mi) * MINUTE; continue; }
    if (!s.minute.values.has(w.mi)) { t += MINUTE; continue; }
    return t;
  }
  return undefined;
}

/**
 * The most recent activation after `earliest` and at or before `now`, and how many activations fell in
 * that window (upstream mostRecentScheduleTime; the controller warns past 100 missed).
 */
export function mostRecentActivation(s: Schedule, earliest: number, now: number, tz?: string): { time?: number; missed: number } {
  let t = nextActivation(s, earliest, tz);
  let last: number | undefined, missed = 0;
  while (t !== undefined && t <= now) {
    last = t; missed++;
    t = nextActivation(s, t, tz);
  }
  return { time: last, missed };
}
