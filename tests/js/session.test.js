import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DraftSession, mapIndexBack } from '../../static/js/drafting/session.js';
import { applyPatchExact, makePatch } from '../../static/js/drafting/patches.js';
import { apply, diffOps, transformIndex } from '../../static/js/drafting/operations.js';
import { Client, FakeServer, Sim } from './helpers/fake-server.js';
import { makeRng } from './helpers/random.js';
import { FILLER, checkScenario, runScenario } from './helpers/scenario.js';

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

/** Timers under the test's control. */
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

function setup({ text = 'Dear council,\n', revision = 3, canEdit = true } = {}) {
  const transport = manualTransport();
  const timers = manualTimers();
  let n = 0;
  const session = new DraftSession({
    letterId: 7,
    transport,
    timers,
    canEdit,
    generateId: () => `e${(n += 1)}`,
    logger: { warn() {} },
  });
  session.start();
  transport.fire('connect');
  const join = transport.last('join');
  assert.deepEqual(join.payload, { letter_id: 7, protocol: 2 });
  join.ack({ ok: true, revision, text, status: 'drafting' });
  return { session, transport, timers };
}

function revisionPayload(revision, before, after, editId, author = { id: 2, name: 'Ada' }) {
  return { letter_id: 7, revision, patch: makePatch(before, after), edit_id: editId, author };
}

test('join gives the text; a typed change is sent once, debounced, with base_revision', () => {
  const { session, transport, timers } = setup();
  assert.equal(session.text, 'Dear council,\n');
  assert.equal(session.revision, 3);
  assert.ok(session.idle);
  session.setText('Dear council,\nWe');
  session.setText('Dear council,\nWe ask');
  assert.equal(transport.all('edit').length, 0, 'debounced');
  assert.equal(session.pendingCount, 1);
  timers.flush();
  const edits = transport.all('edit');
  assert.equal(edits.length, 1);
  const { payload } = edits[0];
  assert.equal(payload.letter_id, 7);
  assert.equal(payload.edit_id, 'e1');
  assert.equal(payload.base_revision, 3);
  assert.equal(applyPatchExact('Dear council,\n', payload.patch), 'Dear council,\nWe ask');
  // More typing while in flight: nothing more is sent.
  session.setText('Dear council,\nWe ask for');
  timers.flush();
  assert.equal(transport.all('edit').length, 1);
  assert.equal(session.pendingCount, 2);
});

test('own revision before the acknowledgement, then the acknowledgement', () => {
  const { session, transport, timers } = setup();
  session.setText('Dear council,\nHi');
  timers.flush();
  const edit = transport.last('edit');
  transport.fire('revision', revisionPayload(4, 'Dear council,\n', 'Dear council,\nHi', 'e1'));
  assert.equal(session.revision, 4);
  assert.equal(session.shadow, 'Dear council,\nHi');
  assert.equal(session.inflight, null);
  assert.ok(session.idle);
  edit.ack({ ok: true, revision: 4 });
  assert.ok(session.idle);
  assert.equal(transport.all('edit').length, 1);
});

test('acknowledgement before the own revision', () => {
  const { session, transport, timers } = setup();
  session.setText('Dear council,\nHi');
  timers.flush();
  transport.last('edit').ack({ ok: true, revision: 4 });
  assert.ok(session.inflight, 'still in flight until the revision arrives');
  assert.equal(session.idle, false);
  transport.fire('revision', revisionPayload(4, 'Dear council,\n', 'Dear council,\nHi', 'e1'));
  assert.ok(session.idle);
  assert.equal(session.text, 'Dear council,\nHi');
});

test('a remote revision rebases pending and in-flight text and reports the change', () => {
  const { session, transport, timers } = setup({ text: 'AB', revision: 0 });
  session.setText('AxB');
  timers.flush(); // in flight: insert x
  session.setText('AxBy'); // pending: insert y
  const changes = [];
  session.on('change', (c) => changes.push(c));
  transport.fire('revision', revisionPayload(1, 'AB', 'zAB', 'other-1'));
  assert.equal(session.shadow, 'zAB');
  assert.equal(session.text, 'zAxBy');
  assert.equal(changes.length, 1);
  // The caret after "Ax" (offset 2) moves by one.
  assert.equal(transformIndex(2, changes[0].ops), 3);
  // Our own revision arrives, made on top of the remote one.
  transport.fire('revision', revisionPayload(2, 'zAB', 'zAxB', 'e1'));
  assert.equal(session.text, 'zAxBy');
  timers.flush();
  const second = transport.last('edit');
  assert.equal(second.payload.edit_id, 'e2');
  assert.equal(second.payload.base_revision, 2);
  assert.equal(applyPatchExact('zAxB', second.payload.patch), 'zAxBy');
});

test('a gap in revisions is filled with fetch, in order', () => {
  const { session, transport } = setup({ text: 'one', revision: 1 });
  transport.fire('revision', revisionPayload(3, 'one two', 'one two three', 'x2'));
  assert.equal(session.revision, 1, 'revision 3 waits for 2');
  const fetch = transport.last('fetch');
  assert.deepEqual(fetch.payload, { letter_id: 7, since: 1 });
  fetch.ack({
    ok: true,
    revisions: [
      { revision: 2, patch: makePatch('one', 'one two'), edit_id: 'x1', author: { id: 2, name: 'Ada' } },
      { revision: 3, patch: makePatch('one two', 'one two three'), edit_id: 'x2', author: { id: 2, name: 'Ada' } },
    ],
  });
  assert.equal(session.revision, 3);
  assert.equal(session.text, 'one two three');
  assert.ok(session.idle);
});

test('conflict: catch up, then resend the rebuilt change with a new edit_id', () => {
  const { session, transport, timers } = setup({ text: 'abc', revision: 5 });
  session.setText('abcd');
  timers.flush();
  transport.last('edit').ack({ ok: false, error: { code: 'conflict', message: 'try again' } });
  const fetch = transport.last('fetch');
  assert.equal(fetch.payload.since, 5);
  fetch.ack({ ok: true, revisions: [{ revision: 6, patch: makePatch('abc', 'Xabc'), edit_id: 'o', author: {} }] });
  timers.flush();
  const edit = transport.last('edit');
  assert.equal(transport.all('edit').length, 2);
  assert.equal(edit.payload.edit_id, 'e2');
  assert.equal(edit.payload.base_revision, 6);
  assert.equal(applyPatchExact('Xabc', edit.payload.patch), 'Xabcd');
});

test('rate limited: wait retry_after, then send the same change again, without a resync', () => {
  const { session, transport, timers } = setup({ text: 'abc', revision: 5 });
  session.setText('abcd');
  timers.flush();
  const limited = { code: 'bad_request', message: 'Too many edits at once', retry_after: 0.2 };
  transport.last('edit').ack({ ok: false, error: limited });
  assert.equal(transport.all('fetch').length, 0, 'no catch-up: nothing was wrong with the edit');
  assert.equal(transport.all('join').length, 1, 'no resync');
  assert.equal(session.status === 'error', false);
  timers.flush();
  assert.equal(transport.all('edit').length, 2);
  const edit = transport.last('edit');
  assert.equal(edit.payload.base_revision, 5);
  assert.equal(applyPatchExact('abc', edit.payload.patch), 'abcd');
  edit.ack({ ok: true, revision: 6 });
  transport.fire('revision', { letter_id: 7, revision: 6, patch: edit.payload.patch, edit_id: edit.payload.edit_id, author: {} });
  assert.equal(session.text, 'abcd');
});

test('reconnect: rejoin, resend the same edit, fetch what was missed; nothing typed is lost', () => {
  const { session, transport, timers } = setup({ text: 'hello', revision: 2 });
  session.setText('hello world');
  timers.flush();
  const first = transport.last('edit');
  transport.fire('disconnect', 'transport close');
  assert.equal(session.status, 'reconnecting');
  session.setText('hello world!'); // typed while offline
  timers.flush();
  assert.equal(transport.all('edit').length, 1, 'nothing is sent while disconnected');
  transport.fire('connect');
  const join = transport.last('join');
  join.ack({ ok: true, revision: 4, text: 'Hi: hello world', status: 'drafting' });
  const resent = transport.last('edit');
  assert.notEqual(resent, first);
  assert.deepEqual(resent.payload, first.payload, 'same edit_id, base_revision and patch');
  const fetch = transport.last('fetch');
  assert.equal(fetch.payload.since, 2);
  // The server had stored our edit as revision 3 before the connection dropped.
  fetch.ack({
    ok: true,
    revisions: [
      { revision: 3, patch: makePatch('hello', 'hello world'), edit_id: 'e1', author: {} },
      { revision: 4, patch: makePatch('hello world', 'Hi: hello world'), edit_id: 'z', author: {} },
    ],
  });
  resent.ack({ ok: true, revision: 3 });
  assert.equal(session.revision, 4);
  assert.equal(session.text, 'Hi: hello world!');
  timers.flush();
  const next = transport.last('edit');
  assert.equal(next.payload.edit_id, 'e2');
  assert.equal(applyPatchExact('Hi: hello world', next.payload.patch), 'Hi: hello world!');
});

test('locked: read-only, catches up to the final revision, drops unsent text', () => {
  const { session, transport, timers } = setup({ text: 'final', revision: 1 });
  const seen = [];
  const errors = [];
  session.on('locked', (l) => seen.push(l));
  session.on('error', (e) => errors.push(e.code));
  session.setText('final?');
  transport.fire('locked', { letter_id: 7, revision: 2, content_hash: 'ab12' });
  assert.equal(session.status, 'locked');
  assert.equal(session.readOnly, true);
  assert.deepEqual(seen, [{ revision: 2, content_hash: 'ab12' }]);
  transport.last('fetch').ack({ ok: true, revisions: [{ revision: 2, patch: makePatch('final', 'final.'), edit_id: 'q', author: {} }] });
  timers.flush();
  assert.equal(session.text, 'final.');
  assert.equal(transport.all('edit').length, 0);
  assert.ok(session.idle);
  assert.deepEqual(errors, ['locked'], 'the page is told the unsent text was dropped, and why');
});

test('an edit answered "locked" makes the session read-only', () => {
  const { session, transport, timers } = setup({ text: 'x', revision: 1 });
  session.setText('xy');
  timers.flush();
  transport.last('edit').ack({ ok: false, error: { code: 'locked', message: 'locked' } });
  assert.equal(session.status, 'locked');
  assert.equal(session.readOnly, true);
});

test('forbidden and unauthorized make the session read-only with the message', () => {
  for (const code of ['forbidden', 'unauthorized']) {
    const { session, transport, timers } = setup({ text: 'x', revision: 1 });
    const statuses = [];
    session.on('status', (s) => statuses.push(s));
    session.setText('xy');
    timers.flush();
    transport.last('edit').ack({ ok: false, error: { code, message: `no: ${code}` } });
    assert.equal(session.status, 'readonly');
    assert.deepEqual(statuses.at(-1), { status: 'readonly', message: `no: ${code}` });
  }
});

test('a read-only session never sends an edit', () => {
  const { session, transport, timers } = setup({ canEdit: false });
  session.setText('changed');
  timers.flush();
  assert.equal(transport.all('edit').length, 0);
  assert.equal(session.text, 'Dear council,\n');
  assert.equal(session.status, 'readonly');
});

test('a revision that does not apply exactly triggers a resynchronisation from join', () => {
  const { session, transport, timers } = setup({ text: 'abc', revision: 1 });
  session.setText('abcd');
  transport.fire('revision', { letter_id: 7, revision: 2, patch: makePatch('zzz', 'zzzz'), edit_id: 'bad' });
  const join = transport.last('join');
  join.ack({ ok: true, revision: 2, text: 'Xabc', status: 'drafting' });
  assert.equal(session.shadow, 'Xabc');
  assert.equal(session.text, 'Xabcd');
  timers.flush();
  assert.equal(applyPatchExact('Xabc', transport.last('edit').payload.patch), 'Xabcd');
});

test('hold() defers remote revisions until release(), keeping what was typed meanwhile', () => {
  const { session, transport, timers } = setup({ text: 'abc', revision: 1 });
  session.hold();
  transport.fire('revision', revisionPayload(2, 'abc', 'abcX', 'r'));
  assert.equal(session.text, 'abc');
  session.setText('Zabc');
  timers.flush();
  assert.equal(transport.all('edit').length, 0, 'nothing is sent while held');
  session.release();
  assert.equal(session.revision, 2);
  assert.equal(session.text, 'ZabcX');
  timers.flush();
  assert.equal(applyPatchExact('abcX', transport.last('edit').payload.patch), 'ZabcX');
});

test('too_large: the edit is kept locally and not resent until the text changes', () => {
  const { session, transport, timers } = setup({ text: 'abc', revision: 1 });
  const errors = [];
  session.on('error', (e) => errors.push(e.code));
  session.setText('abc'.repeat(50));
  timers.flush();
  transport.last('edit').ack({ ok: false, error: { code: 'too_large', message: 'too large' } });
  timers.flush();
  assert.deepEqual(errors, ['too_large']);
  assert.equal(transport.all('edit').length, 1);
  assert.equal(session.text, 'abc'.repeat(50));
  session.setText('abc');
  timers.flush();
  assert.equal(transport.all('edit').length, 1, 'back to the shadow: nothing to send');
  assert.ok(session.idle);
});

test('an edit that changed nothing once merged is settled by its acknowledgement', () => {
  const { session, transport, timers } = setup({ text: 'one two', revision: 1 });
  session.setText('one');
  timers.flush();
  // Someone else deleted the same word first.
  transport.fire('revision', revisionPayload(2, 'one two', 'one', 'other'));
  transport.last('edit').ack({ ok: true, revision: 2 });
  timers.flush();
  assert.ok(session.idle);
  assert.equal(session.text, 'one');
  assert.equal(transport.all('edit').length, 1);
});

test('mapIndexBack and caret mapping helpers', () => {
  const o = diffOps('abc', 'aXYbc');
  assert.equal(mapIndexBack(0, o), 0);
  assert.equal(mapIndexBack(2, o), 1);
  assert.equal(mapIndexBack(3, o), 1);
  assert.equal(mapIndexBack(4, o), 2);
  assert.equal(mapIndexBack(5, o), 3);
});

// ---------------------------------------------------------------------------
// Randomised: several sessions against the fake server.


test('randomised: sessions converge, in-order delivery, conflicts and dropped connections', () => {
  const totals = { dedups: 0, conflicts: 0, edits: 0, markers: 0, noops: 0 };
  for (let seed = 1; seed <= 12; seed += 1) {
    const result = runScenario(seed, { fifo: true, deleteRate: seed % 2 ? 0.15 : 0.5 });
    checkScenario(result, `seed ${seed}`);
    totals.dedups += result.server.stats.dedups;
    totals.conflicts += result.server.stats.conflicts;
    totals.edits += result.server.stats.edits;
    totals.noops += result.server.stats.noops;
    totals.markers += result.markers.length;
  }
  assert.ok(totals.markers > 200, `markers typed: ${totals.markers}`);
  assert.ok(totals.conflicts > 0, 'conflicts were exercised');
  assert.ok(totals.dedups > 0, 'resends after a dropped connection were de-duplicated by edit_id');
  assert.ok(totals.noops > 0, 'edits that changed nothing once merged were exercised');
});

test('randomised: sessions converge with random delivery order (revisions and acks reordered)', () => {
  for (let seed = 100; seed < 110; seed += 1) {
    const result = runScenario(seed, { fifo: false, clients: 4, conflictRate: 0.03 });
    checkScenario(result, `seed ${seed}`);
  }
});

test('randomised: heavy connection churn, nothing typed is lost', () => {
  let dedups = 0;
  for (let seed = 200; seed < 208; seed += 1) {
    const result = runScenario(seed, { fifo: true, clients: 3, dropRate: 0.02, conflictRate: 0 });
    checkScenario(result, `seed ${seed}`);
    dedups += result.server.stats.dedups;
  }
  assert.ok(dedups > 0);
});

test('lock during drafting: every session ends read-only on the final text', () => {
  const rng = makeRng(42);
  const sim = new Sim();
  const server = new FakeServer({ text: FILLER, rng });
  const clients = [0, 1].map((i) => new Client({ name: `c${i}`, sim, server, rng }));
  clients.forEach((c) => c.connect());
  sim.run({ until: 100 });
  clients[0].session.setText(`${clients[0].session.text}[a]`);
  sim.run({ until: 400 });
  server.lock();
  clients[1].session.setText(`[b]${clients[1].session.text}`);
  sim.run();
  for (const c of clients) {
    assert.equal(c.session.status, 'locked');
    assert.equal(c.session.text, server.text);
    assert.equal(c.session.contentHash, server.contentHash);
  }
  assert.ok(server.text.includes('[a]'));
  assert.ok(!server.text.includes('[b]'));
});
