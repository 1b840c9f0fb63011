// Human-readable ages, as kubectl users know them (`45s`, `5m2s`, `3h4m`, `2d3h`, `8d`, `2y45d`).
// Mirrors apimachinery's `duration.HumanDuration`: about two to three significant figures, with finer
// units kept only while the coarser number is small.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Formats a duration given in milliseconds exactly as `duration.HumanDuration` does. */
export function humanDuration(ms: number): string {
  // Go's int(d.Seconds()) truncates toward zero; a clock up to one second ahead still reads as "now".
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when absent or unparsable. */
export function parseTimestamp(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The age of a timestamp at `now`, as the Age columns print it; `<unknown>` when the timestamp is
 * missing (upstream's zero time). Works for metav1.Time and metav1.MicroTime alike.
 */
export function translateTimestampSince(timestamp: string | null | undefined, now: Date): string {
  const t = parseTimestamp(timestamp);
  if (t === undefined) return '<unknown>';
  return humanDuration(now.getTime() - t);
}
