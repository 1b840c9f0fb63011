// Runs the real `dig` (dnsutils) against a server and reads its YAML output, so tests see exactly what
// a user's dig would show. Asynchronous: the server under test runs in the same process.
import YAML from 'yaml';
import { run } from '../../../linux/exec.js';


export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  protocol: string;
  size: number;
  /** EDNS UDP size the server advertised, if it sent an OPT record. */
  udp?: number;
}

/** Records as `name ttl TYPE data` (class dropped, single spaces), for readable comparisons. */
function records(list: unknown): string[] {
  return ((list as string[] | undefined) ?? []).map((l) => l.replace(/\s+IN\s+/, ' ').replace(/\s+/g, ' ').trim());
}

export async function dig(port: number, name: string, type = 'A', opts: string[] = [], host = '127.0.0.1'): Promise<DigResult> {
  const { stdout } = await run(['dig', '+yaml', `@${host}`, '-p', String(port), '+tries=1', '+time=3', ...opts, name, type], { timeoutMs: 20_000 });
  const docs = YAML.parseAllDocuments(stdout).map((d) => d.toJSON()).flat();
  const last = docs.filter((d: any) => d?.type === 'MESSAGE').pop() as any;
  if (!last) throw new Error(`dig ${name} ${type} got no reply: ${stdout}`);
  const m = last.message;
  const r = m.response_message_data;
  return {
    status: r.status,
    flags: String(r.flags ?? '').split(/\s+/).filter(Boolean),
    answer: records(r.ANSWER_SECTION),
    authority: records(r.AUTHORITY_SECTION),
    additional: records(r.ADDITIONAL_SECTION),
    protocol: m.socket_protocol,
    size: parseInt(m.message_size, 10),
    udp: r.OPT_PSEUDOSECTION?.EDNS?.udp,
  };
}
