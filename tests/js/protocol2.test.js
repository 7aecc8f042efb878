import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DraftSession } from '../../static/js/drafting/session.js';
import { MAX_PATCH_BYTES, patchCost, splitOps } from '../../static/js/drafting/chunks.js';
import { apply, diffOps } from '../../static/js/drafting/operations.js';
import { applyPatchExact, makePatch } from '../../static/js/drafting/patches.js';
import { Client, FakeServer, Sim } from './helpers/fake-server.js';
import { makeRng } from './helpers/random.js';
import { checkScenario, runScenario } from './helpers/scenario.js';

/** A transport whose requests the test answers by hand. */
function manualTransport() {
  const handlers = new Map();
  const sent = [];
  return {
    sent,
    connected: false,
    emit(event, payload, ack) {
      sent.push({ event, payload: JSON.parse(JSON.stringify(payload)), ack });
    },
    on(event, handler) {
      handlers.set(event, handler);
    },
    fire(event, payload) {
      handlers.get(event)?.(payload);
    },
    last(event) {
      for (let i = sent.length - 1; i >= 0; i -= 1) if (sent[i].event === event) return sent[i];
      return null;
    },
    all(event) {
      return sent.filter((s) => s.event === event);
    },
  };
}

function manualTimers() {
  const pending = new Set();
  return {
    setTimeout(fn) {
      const t = { fn };
      pending.add(t);
      return t;
    },
    clearTimeout(t) {
      pending.delete(t);
    },
    flush() {
      for (let i = 0; i < 50 && pending.size; i += 1) {
        const all = [...pending];
        pending.clear();
        for (const t of all) t.fn();
      }
    },
  };
}

function joined(ack) {
  const transport = manualTransport();
  const timers = manualTimers();
  let n = 0;
  const session = new DraftSession({ letterId: 7, transport, timers, generateId: () => `e${(n += 1)}`, logger: { warn() {} } });
  session.start();
  transport.fire('connect');
  const join = transport.last('join');
  assert.deepEqual(join.payload, { letter_id: 7, protocol: 2 }, 'the client asks for protocol 2');
  join.ack({ ok: true, status: 'drafting', ...ack });
  return { session, transport, timers };
}

const author = { id: 2, name: 'Ada' };

test('protocol 2: a revisions batch is applied in order, and a stray version-1 revision event is ignored', () => {
  const { session, transport } = joined({ revision: 1, text: 'one', protocol: 2 });
  assert.equal(session.protocol, 2);
  transport.fire('revisions', {
    letter_id: 7,
    revisions: [
      { revision: 2, patch: makePatch('one', 'one two'), edit_id: 'x1', author },
      { revision: 3, patch: makePatch('one two', 'one two three'), edit_id: 'x2', author },
    ],
  });
  assert.equal(session.revision, 3);
  assert.equal(session.text, 'one two three');
  transport.fire('revision', { letter_id: 7, revision: 4, patch: makePatch('one two three', 'X'), edit_id: 'x3', author });
  assert.equal(session.revision, 3, 'a protocol-2 session takes revisions from batches only');
  assert.equal(transport.all('fetch').length, 0);
  assert.ok(session.idle);
});

test('protocol 2: a batch for another letter, or one that skips a revision, is not applied blindly', () => {
  const { session, transport } = joined({ revision: 1, text: 'one', protocol: 2 });
  transport.fire('revisions', { letter_id: 8, revisions: [{ revision: 2, patch: makePatch('one', 'two'), edit_id: 'y', author }] });
  assert.equal(session.revision, 1);
  transport.fire('revisions', {
    letter_id: 7,
    revisions: [{ revision: 3, patch: makePatch('one two', 'one two three'), edit_id: 'x2', author }],
  });
  assert.equal(session.revision, 1, 'revision 3 waits for 2');
  const fetch = transport.last('fetch');
  assert.deepEqual(fetch.payload, { letter_id: 7, since: 1 });
  fetch.ack({ ok: true, revisions: [{ revision: 2, patch: makePatch('one', 'one two'), edit_id: 'x1', author }] });
  assert.equal(session.revision, 3);
  assert.equal(session.text, 'one two three');
});

test('version 1: a server that leaves out protocol keeps sending revision events, which are applied', () => {
  const { session, transport } = joined({ revision: 1, text: 'one' });
  assert.equal(session.protocol, 1);
  transport.fire('revision', { letter_id: 7, revision: 2, patch: makePatch('one', 'one two'), edit_id: 'x1', author });
  assert.equal(session.revision, 2);
  assert.equal(session.text, 'one two');
});

test('protocol 2: our own edit inside a batch settles it; typing meanwhile is kept', () => {
  const { session, transport, timers } = joined({ revision: 0, text: 'AB', protocol: 2 });
  session.applyLocal(diffOps('AB', 'AxB'));
  timers.flush();
  const edit = transport.last('edit');
  session.applyLocal(diffOps('AxB', 'AxBy'));
  transport.fire('revisions', {
    letter_id: 7,
    revisions: [
      { revision: 1, patch: makePatch('AB', 'zAB'), edit_id: 'other', author },
      { revision: 2, patch: makePatch('zAB', 'zAxB'), edit_id: edit.payload.edit_id, author },
    ],
  });
  edit.ack({ ok: true, revision: 2 });
  assert.equal(session.inflight, null);
  assert.equal(session.text, 'zAxBy');
  timers.flush();
  assert.equal(applyPatchExact('zAxB', transport.last('edit').payload.patch), 'zAxBy');
});

test('save state: saving while an edit is out, retrying while disconnected, saved once stored', () => {
  const { session, transport, timers } = joined({ revision: 0, text: 'AB', protocol: 2 });
  const states = [];
  session.on('save', ({ state }) => states.push(state));
  assert.equal(session.saveState, 'saved');
  session.applyLocal(diffOps('AB', 'ABC'));
  assert.equal(session.saveState, 'saving');
  timers.flush();
  transport.fire('disconnect', 'transport close');
  assert.equal(session.saveState, 'retrying');
  transport.fire('connect');
  transport.last('join').ack({ ok: true, revision: 0, text: 'AB', status: 'drafting', protocol: 2 });
  const resent = transport.last('edit');
  transport.fire('revisions', { letter_id: 7, revisions: [{ revision: 1, patch: resent.payload.patch, edit_id: resent.payload.edit_id, author }] });
  resent.ack({ ok: true, revision: 1 });
  assert.equal(session.saveState, 'saved');
  assert.deepEqual(states.slice(0, 2), ['saving', 'retrying']);
  assert.equal(states.at(-1), 'saved');
});

test('save state: a refused edit (too_large) is "refused" until the text changes', () => {
  const { session, transport, timers } = joined({ revision: 0, text: 'AB', protocol: 2 });
  const errors = [];
  session.on('error', (e) => errors.push(e.code));
  session.applyLocal(diffOps('AB', 'ABC'));
  timers.flush();
  transport.last('edit').ack({ ok: false, error: { code: 'too_large', message: 'too large' } });
  assert.equal(session.saveState, 'refused');
  assert.deepEqual(errors, ['too_large']);
});

test('splitOps: the parts compose to the whole, each within the budget, surrogate pairs whole', () => {
  const base = 'Dear council 😀 of ours,\n'.repeat(50);
  const inserted = 'Ünïcödé 👍🏽 text, 中文 and plain words.\n'.repeat(400);
  const target = base.slice(0, 100) + inserted + base.slice(300);
  const ops = diffOps(base, target);
  let text = base;
  let rest = ops;
  let parts = 0;
  while (rest) {
    const [first, next] = splitOps(text, rest, 2000);
    const after = apply(text, first);
    assert.ok(after.isWellFormed(), 'no lone surrogate after a part');
    const patch = makePatch(text, after);
    assert.ok(patch.length < 2000 + 200, `part ${parts} patch is ${patch.length} bytes`);
    if (next) assert.equal(apply(after, next), apply(text, rest));
    text = after;
    rest = next;
    parts += 1;
  }
  assert.equal(text, target);
  assert.ok(parts > 10, `cut into ${parts} parts`);
  assert.equal(apply(base, splitOps(base, ops, 1e9)[0]), target, 'a change within budget is whole');
  assert.equal(splitOps(base, ops, 1e9)[1], null);
  assert.equal(patchCost('a b'), 3);
  assert.equal(patchCost('\n'), 3);
  assert.equal(patchCost('😀'), 12);
});

test('a 200,000-character paste reaches the server in edits under the patch limit, one after another', () => {
  const rng = makeRng(7);
  const sim = new Sim();
  const start = 'Dear council,\n';
  const server = new FakeServer({ text: start, rng, protocol: 2 });
  const alder = new Client({ name: 'alder', sim, server, rng });
  const other = new Client({ name: 'other', sim, server, rng });
  alder.connect();
  other.connect();
  sim.run();
  const line = 'A resident of Ward 7 writes 🏠 — señal 中文.\n';
  const paste = line.repeat(Math.ceil((200_000 - start.length) / line.length)).slice(0, 200_000 - start.length);
  assert.equal(start.length + paste.length, 200_000);
  alder.session.applyLocal(diffOps(start, start + paste));
  sim.run();
  assert.equal(server.text, start + paste);
  assert.equal(other.session.text, start + paste);
  assert.equal(server.stats.tooLarge, 0);
  assert.ok(server.current > 3, `sent in ${server.current} edits`);
  for (const r of server.revisions.slice(1)) assert.ok(r.patch.length <= MAX_PATCH_BYTES);
  assert.ok(alder.session.idle && other.session.idle);
  assert.equal(alder.session.saveState, 'saved');
});

test('randomised, protocol 2: batched revisions converge, with conflicts and dropped connections', () => {
  let batches = 0;
  for (let seed = 300; seed < 308; seed += 1) {
    const result = runScenario(seed, { protocol: 2, fifo: seed % 2 === 0, clients: 3 });
    checkScenario(result, `seed ${seed}`);
    batches += result.server.stats.batches;
  }
  assert.ok(batches > 0);
});
