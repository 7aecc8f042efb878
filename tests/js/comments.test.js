import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorState } from '@codemirror/state';
import {
  anchorRanges,
  commentAnchors,
  setActiveComment,
  setCommentAnchors,
  stackBoxes,
} from '../../static/js/drafting/comment-anchors.js';
import { readingOrder, shortQuote } from '../../static/js/drafting/comments-margin.js';
import { followRevisionJson } from '../../static/js/drafting/revision-json.js';
import { remoteTransaction } from '../../static/js/drafting/binding.js';
import { diffOps } from '../../static/js/drafting/operations.js';

const TEXT = 'We ask the city to affirm its status.';

function withAnchors(doc, anchors) {
  const state = EditorState.create({ doc, extensions: [commentAnchors] });
  return state.update({ effects: setCommentAnchors.of(anchors) }).state;
}

function passages(state) {
  const out = {};
  for (const [id, r] of anchorRanges(state.field(commentAnchors).set)) out[id] = state.doc.sliceString(r.from, r.to);
  return out;
}

test('an anchor keeps its words through a remote change before it, inside it and at its ends', () => {
  const at = TEXT.indexOf('affirm');
  let state = withAnchors(TEXT, [{ id: 1, from: at, to: at + 'affirm its status'.length }]);
  const edit = (next) => {
    state = state.update(remoteTransaction(diffOps(state.doc.toString(), next))).state;
  };
  edit(`URGENT: ${state.doc.toString()}`);
  assert.deepEqual(passages(state), { 1: 'affirm its status' });
  edit(state.doc.toString().replace('affirm its', 'affirm its legal'));
  assert.deepEqual(passages(state), { 1: 'affirm its legal status' });
  // Typed at its start or at its end: outside it, as the server carries anchors.
  edit(state.doc.toString().replace('to affirm', 'to firmly affirm'));
  edit(state.doc.toString().replace('status.', 'status now.'));
  assert.deepEqual(passages(state), { 1: 'affirm its legal status' });
});

test('an anchor whose words are all deleted is dropped; others stay', () => {
  let state = withAnchors(TEXT, [
    { id: 1, from: 0, to: 2 },
    { id: 2, from: TEXT.indexOf('city'), to: TEXT.indexOf('city') + 4 },
  ]);
  state = state.update({ changes: { from: TEXT.indexOf('city'), to: TEXT.indexOf('city') + 5 } }).state;
  assert.deepEqual(passages(state), { 1: 'We' });
});

test('marking one thread as read keeps every anchor where it is', () => {
  let state = withAnchors(TEXT, [
    { id: 1, from: 0, to: 2 },
    { id: 2, from: 3, to: 6 },
  ]);
  state = state.update({ effects: setActiveComment.of(2) }).state;
  assert.equal(state.field(commentAnchors).active, 2);
  assert.deepEqual(passages(state), { 1: 'We', 2: 'ask' });
  const classes = [];
  const cursor = state.field(commentAnchors).set.iter();
  for (; cursor.value; cursor.next()) classes.push(cursor.value.spec.class);
  assert.deepEqual(classes, ['cm-comment-anchor', 'cm-comment-anchor cm-comment-anchor-active']);
});

test('boxes go at their passage unless the one above is in the way; unplaced ones go last', () => {
  const tops = stackBoxes(
    [
      { key: 'c', want: 100, height: 30 },
      { key: 'a', want: 10, height: 50 },
      { key: 'b', want: 20, height: 20 },
      { key: 'gone', want: null, height: 10 },
      { key: 'above', want: -40, height: 10 },
    ],
    8,
  );
  assert.deepEqual(Object.fromEntries(tops), { above: 0, a: 18, b: 76, c: 104, gone: 142 });
});

test('threads are read in the order of their passages, the outdated last; quotes are kept short', () => {
  const order = readingOrder([
    { id: 1, start: 40, outdated: false },
    { id: 2, start: null, outdated: true },
    { id: 3, start: 5, outdated: false },
  ]).map((t) => t.id);
  assert.deepEqual(order, [3, 1, 2]);
  assert.equal(shortQuote('  two\nlines  '), 'two lines');
  const long = shortQuote('🏠'.repeat(100));
  assert.equal([...long].length, 80);
  assert.ok(long.endsWith('…'));
});

test('a document placed on another revision is asked for again once the session catches up', async () => {
  const answers = [{ revision: 4, n: 'old' }, { revision: 5, n: 'new' }];
  const session = { ready: true, revision: 5, whenIdle: async () => {} };
  const got = [];
  const win = {
    fetch: async () => ({ ok: true, json: async () => answers.shift() }),
    setTimeout: (fn) => fn(),
  };
  await followRevisionJson({ win, url: '/x.json', session, onData: (d) => got.push(d.n) }).now();
  assert.deepEqual(got, ['new']);
});
