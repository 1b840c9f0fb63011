// podnet ui: draws the cluster as the seeds draw it (host and underlay bridge on top, one box per node
// with cni0, its podCIDR and the VXLAN device, pods with their IPs under the bridge, Services on the
// right with lines to their endpoints), redraws on every server-sent topology event, shows conntrack
// flows, and draws a trace's path over the topology. Plain JS and SVG, no build step.
'use strict';

const svg = document.getElementById('topology');
const state = { topology: null, version: 0, flows: [], trace: null, pos: new Map() };
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

const POD_W = 170, POD_H = 30, POD_COLS = 2, NODE_PAD = 12, NODE_GAP = 24, TOP = 110, SVC_W = 230, SVC_H = 44;

function layout(t) {
  const pos = new Map();
  const byNode = new Map(t.nodes.map((n) => [n.name, []]));
  for (const p of t.pods) if (byNode.has(p.node)) byNode.get(p.node).push(p);
  let x = 20, maxH = 0;
  const nodeBoxes = [];
  for (const n of t.nodes) {
    const pods = byNode.get(n.name);
    const rows = Math.max(1, Math.ceil(pods.length / POD_COLS));
    const w = POD_COLS * (POD_W + 8) + NODE_PAD * 2 - 8;
    const h = 90 + rows * (POD_H + 6) + NODE_PAD;
    nodeBoxes.push({ n, x, y: TOP, w, h, pods });
    pos.set(`node/${n.name}`, { x: x + w / 2, y: TOP + 40 });
    pods.forEach((p, i) => {
      const px = x + NODE_PAD + (i % POD_COLS) * (POD_W + 8);
      const py = TOP + 90 + Math.floor(i / POD_COLS) * (POD_H + 6);
      pos.set(`pod/${p.key}`, { x: px + POD_W / 2, y: py + POD_H / 2, box: [px, py] });
    });
    x += w + NODE_GAP;
    maxH = Math.max(maxH, h);
  }
  // Services in rows under the nodes, so that one screen shows both and the lines to their endpoints.
  const rowW = Math.max(x - NODE_GAP, SVC_W + 20);
  const cols = Math.max(1, Math.floor((rowW - 20) / (SVC_W + 10)));
  const svcY = TOP + maxH + 40;
  t.services.forEach((s, i) => {
    const sx = 20 + (i % cols) * (SVC_W + 10), sy = svcY + Math.floor(i / cols) * (SVC_H + 10);
    pos.set(`svc/${s.key}`, { x: sx + SVC_W / 2, y: sy + SVC_H / 2, box: [sx, sy] });
  });
  // Ingresses in a row under the Services.
  const ingY = svcY + Math.ceil(t.services.length / cols) * (SVC_H + 10) + 20;
  t.ingresses.forEach((g, i) => {
    const gx = 20 + (i % cols) * (SVC_W + 10), gy = ingY + Math.floor(i / cols) * (SVC_H + 10);
    pos.set(`ing/${g.key}`, { x: gx + SVC_W / 2, y: gy + SVC_H / 2, box: [gx, gy] });
  });
  pos.set('host', { x: 20 + 160, y: 35 });
  const svcX = rowW + 20;
  const width = Math.max(rowW + 20, 360);
  const height = ingY + Math.ceil(t.ingresses.length / cols) * (SVC_H + 10) + 20;
  return { pos, nodeBoxes, width, height, svcX };
}

function draw() {
  const t = state.topology;
  if (!t) return;
  const L = layout(t);
  state.pos = L.pos;
  const out = [];
  svg.setAttribute('width', L.width);
  svg.setAttribute('height', L.height);
  // The host and the underlay bridge every node hangs off.
  out.push(`<g class="host" data-host="host"><rect x="20" y="10" width="320" height="46" rx="6"></rect><text x="30" y="30">host (root netns)</text><text x="30" y="46">underlay bridge, ${esc(t.hostIP)}</text></g>`);
  out.push(`<line class="underlay" x1="20" y1="80" x2="${L.svcX - 20}" y2="80"></line><text x="${L.svcX - 220}" y="74">underlay bridge (eth0 of each node)</text>`);
  out.push('<line class="underlay" x1="180" y1="56" x2="180" y2="80"></line>');
  let prevVtep = null;
  for (const b of L.nodeBoxes) {
    const { n } = b;
    out.push(`<g class="node" data-node="${esc(n.name)}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="8"></rect>`);
    out.push(`<line class="underlay" x1="${b.x + b.w / 2}" y1="80" x2="${b.x + b.w / 2}" y2="${b.y}"></line>`);
    out.push(`<text x="${b.x + 10}" y="${b.y + 18}" font-weight="600">${esc(n.name)}</text><text x="${b.x + 10}" y="${b.y + 32}">eth0 ${esc(n.ip)}</text>`);
    if (t.overlay === 'vxlan') {
      out.push(`<text x="${b.x + b.w - 10}" y="${b.y + 18}" text-anchor="end">flannel.1 VTEP</text><text x="${b.x + b.w - 10}" y="${b.y + 32}" text-anchor="end">${esc(n.vtepMAC ?? '')}</text>`);
      if (prevVtep) out.push(`<path class="overlay" d="M${prevVtep.x} ${prevVtep.y} C ${prevVtep.x + 20} ${prevVtep.y - 30}, ${b.x + b.w - 60} ${b.y - 30}, ${b.x + b.w - 60} ${b.y + 5}"></path>`);
      prevVtep = { x: b.x + b.w - 60, y: b.y + 5 };
    }
    out.push(`<rect class="bridge" x="${b.x + NODE_PAD}" y="${b.y + 44}" width="${b.w - 2 * NODE_PAD}" height="30" rx="4"></rect><text x="${b.x + NODE_PAD + 8}" y="${b.y + 63}">cni0 bridge · podCIDR ${esc(n.podCIDR ?? '(none yet)')}</text>`);
    for (const p of b.pods) {
      const [px, py] = L.pos.get(`pod/${p.key}`).box;
      out.push(`<g class="pod${p.ready ? '' : ' notready'}" data-pod="${esc(p.key)}"><title>${esc(p.key)} ${esc(p.phase)}</title><rect x="${px}" y="${py}" width="${POD_W}" height="${POD_H}" rx="4"></rect><text x="${px + 6}" y="${py + 13}">${esc(p.namespace === 'default' ? p.name : p.key).slice(0, 30)}</text><text x="${px + 6}" y="${py + 26}" class="ip">${esc(p.ip ?? 'no IP yet')}</text></g>`);
    }
    out.push('</g>');
    if (t.overlay === 'vxlan' && L.nodeBoxes.length > 1 && b === L.nodeBoxes[1]) out.push(`<text x="${b.x - 10}" y="${b.y - 16}" fill="#7e57c2">VXLAN VNI 1, UDP 8472</text>`);
  }
  for (const s of t.services) {
    const [sx, sy] = L.pos.get(`svc/${s.key}`).box;
    out.push(`<g class="svc" data-svc="${esc(s.key)}"><rect x="${sx}" y="${sy}" width="${SVC_W}" height="${SVC_H}" rx="6"></rect><text x="${sx + 8}" y="${sy + 15}" font-weight="600">${esc(s.key)}</text><text x="${sx + 8}" y="${sy + 30}">${esc(s.type)} ${esc(s.clusterIP)} ${esc(s.ports.join(' '))}</text><text x="${sx + 8}" y="${sy + 41}">${s.lb ? `LB ${esc(s.lb)} · ` : ''}${s.endpoints.length} endpoint(s)</text></g>`);
    for (const e of s.endpoints) {
      const p = e.pod && L.pos.get(`pod/${e.pod}`);
      if (p) out.push(`<path class="ep" d="M${sx + SVC_W / 2} ${sy} C ${sx + SVC_W / 2} ${sy - 40}, ${p.x} ${p.y + 60}, ${p.x} ${p.y + POD_H / 2}"></path>`);
    }
  }
  for (const g of t.ingresses) {
    const [gx, gy] = L.pos.get(`ing/${g.key}`).box;
    const rules = g.rules.map((r) => `${r.host}${r.path} → ${r.backend}`);
    out.push(`<g class="ing" data-ingress="${esc(g.key)}"><title>${esc(rules.join('\n'))}</title><rect x="${gx}" y="${gy}" width="${SVC_W}" height="${SVC_H}" rx="6"></rect><text x="${gx + 8}" y="${gy + 15}" font-weight="600">Ingress ${esc(g.key)}</text><text x="${gx + 8}" y="${gy + 30}">${esc((rules[0] ?? '').slice(0, 36))}</text><text x="${gx + 8}" y="${gy + 41}">${rules.length} rule(s)</text></g>`);
    const ns = g.key.split('/')[0];
    for (const r of g.rules) {
      const s = L.pos.get(`svc/${ns}/${r.backend.split(':')[0]}`);
      if (s) out.push(`<path class="ep" d="M${gx + SVC_W / 2} ${gy} L ${s.x} ${s.y + SVC_H / 2}"></path>`);
    }
  }
  for (const f of state.flows) {
    const a = L.pos.get(f.from), b = L.pos.get(f.to);
    if (a && b) out.push(`<path class="flow" data-flow="${esc(f.from)}>${esc(f.to)}" d="M${a.x} ${a.y} Q ${(a.x + b.x) / 2} ${Math.min(a.y, b.y) - 40}, ${b.x} ${b.y}"></path>`);
  }
  if (state.trace) out.push(tracePath(state.trace));
  svg.innerHTML = out.join('');
  document.getElementById('status').textContent = `${t.nodes.length} nodes · ${t.pods.length} pods · ${t.services.length} services · update ${state.version}`;
}

/** The trace's path as a polyline over the drawing: source, entry node, Service, nodes crossed, destination pod. */
function tracePath(t) {
  const pts = [];
  const add = (k) => { const p = state.pos.get(k); if (p && !pts.some((q) => q === p)) pts.push(p); };
  const ref = (h) => (h.ns?.kind === 'pod' ? `pod/${h.ns.key}` : h.ns?.kind === 'node' ? `node/${h.ns.node}` : h.ns?.kind === 'host' ? 'host' : null);
  const branch = t.branches[t.proved?.branch ?? 0];
  for (const h of [...t.hops, ...(branch ? branch.hops : [])]) {
    // The Service box where the proxy decided (DNAT or reject), not where the name was looked up.
    if (h.kind === 'service' && (h.expect?.kind === 'dnat' || h.expect?.kind === 'refused') && h.decidedBy.startsWith('Service ')) add(`svc/${h.decidedBy.split(' ')[1]}`);
    const r = ref(h);
    if (r) add(r);
  }
  if (branch?.pod) add(`pod/${branch.pod}`);
  if (pts.length < 2) return '';
  return `<polyline id="trace-path" class="trace${t.ok ? '' : ' failed'}" points="${pts.map((p) => `${p.x},${p.y}`).join(' ')}"></polyline>`;
}

function showTrace(res) {
  const t = res.trace;
  state.trace = t;
  const v = document.getElementById('trace-verdict');
  v.className = t.ok ? 'ok' : 'fail';
  v.textContent = `${t.ok ? 'OK' : 'BLOCKED'}: ${t.verdict}${t.proved ? ` — prove: ${t.proved.bugs.length ? `${t.proved.bugs.length} disagreement(s): ${t.proved.bugs.join('; ')}` : 'the kernel agrees'} (${t.proved.connect})` : ''}`;
  const branch = t.branches[t.proved?.branch ?? 0];
  const hops = [...t.hops, ...(branch ? branch.hops : [])];
  document.getElementById('trace-hops').innerHTML = hops.map((h) => `<li class="hop" data-kind="${esc(h.kind)}"><span class="${h.ok ? '' : 'fail'}">[${esc(h.where)}] ${esc(h.summary)}</span>${h.proof ? ` <span class="proof-${h.proof.status}">${h.proof.status}</span>` : ''}<div class="why">decided by ${esc(h.decidedBy)}${h.why.map((w) => `<br>· ${esc(w)}`).join('')}${h.fix ? `<br><b>fix:</b> ${esc(h.fix)}` : ''}</div></li>`).join('')
    + (t.branches.length > 1 ? `<li class="muted">the proxy may choose ${t.branches.map((b) => `${b.endpoint} (${Math.round(b.probability * 100)}%)`).join(', ')}</li>` : '');
  draw();
}

async function runTrace(prove) {
  const from = document.getElementById('from').value, to = document.getElementById('to').value.trim();
  if (!to) return;
  const v = document.getElementById('trace-verdict');
  v.className = 'muted';
  v.textContent = prove ? 'tracing and proving…' : 'tracing…';
  const q = new URLSearchParams({ from, to, proto: document.getElementById('proto').value, ...(prove ? { prove: '1' } : {}) });
  const r = await fetch(`/api/trace?${q}`);
  const body = await r.json();
  if (!r.ok) { v.className = 'fail'; v.textContent = body.error; return; }
  showTrace(body);
}

function fillPickers(t) {
  const from = document.getElementById('from');
  const keep = from.value;
  from.innerHTML = ['host', ...t.nodes.map((n) => n.name), ...t.pods.map((p) => p.key)].map((o) => `<option>${esc(o)}</option>`).join('');
  if (keep) from.value = keep;
  document.getElementById('targets').innerHTML = [...t.pods.map((p) => p.key), ...t.services.map((s) => `svc/${s.key}`), ...t.services.map((s) => s.key.split('/').reverse().join('.'))]
    .map((o) => `<option value="${esc(o)}">`).join('');
}

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('topology', (ev) => {
    const d = JSON.parse(ev.data);
    state.topology = d.topology;
    state.version = d.version;
    fillPickers(d.topology);
    draw();
    window.podnetUpdated = (window.podnetUpdated || 0) + 1;
  });
  es.onerror = () => { document.getElementById('status').textContent = 'disconnected; retrying…'; };
}

async function pollFlows() {
  try {
    state.flows = await (await fetch('/api/flows')).json();
    document.getElementById('flows').innerHTML = state.flows.slice(0, 50).map((f) => `<li>${esc(f.node)}: ${esc(f.from)} → ${f.via ? `${esc(f.via)} → ` : ''}${esc(f.to)} ${esc(f.proto)}/${f.dport}</li>`).join('') || '<li class="muted">none</li>';
    draw();
  } catch { /* the server is restarting: next poll */ }
  setTimeout(pollFlows, 3000);
}

document.getElementById('trace-form').addEventListener('submit', (e) => { e.preventDefault(); void runTrace(false); });
document.getElementById('prove-btn').addEventListener('click', () => void runTrace(true));
connect();
void pollFlows();
