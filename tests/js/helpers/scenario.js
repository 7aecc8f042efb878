/** Randomised multi-client scenarios over the fake server, shared by the session tests. */
import assert from 'node:assert/strict';
import { apply } from '../../../static/js/drafting/operations.js';
import { Client, FakeServer, Sim } from './fake-server.js';
import { makeRng } from './random.js';

export const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n'.repeat(2);
const EMOJI = ['😀', '😃', '😄', '🙂', '𝒜'];

/** Offsets in `text` outside every [marker], at character boundaries. */
function markerFreePositions(text) {
  const out = [];
  let depth = 0;
  for (let i = 0; i <= text.length; i += 1) {
    const code = text.charCodeAt(i - 1);
    const inPair = i > 0 && i < text.length && code >= 0xd800 && code <= 0xdbff;
    if (depth === 0 && !inPair) out.push(i);
    if (text[i] === '[') depth += 1;
    if (text[i] === ']') depth -= 1;
  }
  return out;
}

export function runScenario(
  seed,
  { clients = 3, duration = 4000, fifo = true, conflictRate = 0.05, dropRate = 0.002, deleteRate = 0.15, protocol = 1 } = {},
) {
  const rng = makeRng(seed);
  const sim = new Sim();
  const server = new FakeServer({ text: FILLER, rng, conflictRate, protocol });
  const all = [];
  for (let i = 0; i < clients; i += 1) {
    const c = new Client({ name: `c${i}`, sim, server, rng, fifo, debounceMs: 50 + rng.int(150) });
    c.connect();
    all.push(c);
  }
  const markers = [];
  let typing = true;
  const typeLoop = (c) => {
    if (!typing) return;
    const s = c.session;
    if (s.ready) {
      const text = s.text;
      if (!rng.chance(deleteRate)) {
        const marker = `[${c.name}-${markers.length}${rng.pick(EMOJI)}]`;
        markers.push(marker);
        const p = rng.pick(markerFreePositions(text));
        s.setText(text.slice(0, p) + marker + text.slice(p));
      } else {
        // Delete one filler word (never a marker).
        const words = [...text.matchAll(/(?<=^| )[a-z]+ /g)];
        if (words.length) {
          // Often the first word, so that two sessions delete the same one at once.
          const w = rng.chance(0.5) ? words[0] : rng.pick(words);
          s.setText(text.slice(0, w.index) + text.slice(w.index + w[0].length));
        }
      }
    }
    sim.schedule(20 + rng.int(200), () => typeLoop(c));
  };
  const chaosLoop = (c) => {
    if (!typing) return;
    if (c.conn && rng.chance(dropRate * 50)) {
      c.disconnect();
      sim.schedule(20 + rng.int(600), () => c.connect());
    }
    sim.schedule(50, () => chaosLoop(c));
  };
  for (const c of all) {
    sim.schedule(rng.int(100), () => typeLoop(c));
    sim.schedule(100 + rng.int(100), () => chaosLoop(c));
  }
  const invariant = () => {
    for (const c of all) {
      const s = c.session;
      if (!s.ready) continue;
      const expected = s.inflight ? apply(s.shadow, s.inflight.ops) : s.shadow;
      if (apply(expected, s.pending) !== s.text) throw new Error(`${c.name}: shadow + in flight + pending != text at ${sim.now}`);
      if (s.shadow !== server.texts[s.revision]) throw new Error(`${c.name}: shadow differs from revision ${s.revision}`);
    }
  };
  const step = sim.step.bind(sim);
  sim.step = () => {
    const r = step();
    invariant();
    return r;
  };
  sim.run({ until: duration });
  typing = false;
  for (const c of all) c.connect();
  sim.run();
  return { server, clients: all, markers, sim };
}

export function checkScenario({ server, clients, markers }, label) {
  const final = server.text;
  for (const c of clients) {
    assert.deepEqual(c.violations, [], `${label} ${c.name} violations`);
    assert.ok(c.session.idle, `${label} ${c.name} idle`);
    assert.equal(c.session.revision, server.current, `${label} ${c.name} revision`);
    assert.equal(c.session.shadow, final, `${label} ${c.name} shadow`);
    assert.equal(c.session.text, final, `${label} ${c.name} text`);
  }
  for (const m of markers) {
    assert.equal(final.split(m).length - 1, 1, `${label}: marker ${m} appears exactly once`);
  }
  const ids = server.revisions.slice(1).map((r) => r.edit_id);
  assert.equal(new Set(ids).size, ids.length, `${label}: no edit applied twice`);
}
