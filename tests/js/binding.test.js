import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorSelection, EditorState } from '@codemirror/state';
import { history, redo, undo } from '@codemirror/commands';
import { EditorView } from '@codemirror/view';
import {
  changesToOps,
  inputGuard,
  joinWordByWord,
  opsToChanges,
  remoteChange,
  remoteTransaction,
  stripControl,
} from '../../static/js/drafting/binding.js';
import { FORMAT_COMMANDS } from '../../static/js/drafting/markdown-commands.js';
import { apply, diffOps } from '../../static/js/drafting/operations.js';

/** An editor without a view: `state`, and `dispatch` that replaces it, as a view would. */
function editor(doc, extensions = []) {
  const ed = {
    state: EditorState.create({ doc, extensions: [history({ joinToEvent: joinWordByWord, newGroupDelay: 60_000 }), ...extensions] }),
    local: [],
    dispatch(tr) {
      if (tr.docChanged && !tr.annotation(remoteChange)) ed.local.push({ before: tr.startState.doc.toString(), ops: changesToOps(tr.changes) });
      ed.state = tr.state;
    },
    type(text, at = ed.state.selection.main.head) {
      for (const ch of text) {
        ed.dispatch(ed.state.update({ changes: { from: at, insert: ch }, selection: { anchor: at + ch.length }, userEvent: 'input.type' }));
        at += ch.length;
      }
    },
    remote(after) {
      ed.dispatch(ed.state.update(remoteTransaction(diffOps(ed.state.doc.toString(), after))));
    },
    get text() {
      return ed.state.doc.toString();
    },
  };
  return ed;
}

test('changesToOps and opsToChanges describe the same change', () => {
  const state = EditorState.create({ doc: 'Dear council 😀,\nwe ask.' });
  const tr = state.update({ changes: [{ from: 0, to: 4, insert: 'Hello' }, { from: 17, insert: 'all of ' }, { from: 22, to: 23 }] });
  const ops = changesToOps(tr.changes);
  assert.equal(apply(state.doc.toString(), ops), tr.state.doc.toString());
  const back = state.update({ changes: opsToChanges(ops) });
  assert.equal(back.state.doc.toString(), tr.state.doc.toString());
});

test('undo after a co-author edit removes only our own words, word by word; redo puts them back', () => {
  const ed = editor('Dear council,\n');
  ed.type('We ask for help', ed.state.doc.length);
  // A co-author inserts text before and inside our sentence.
  ed.remote('[Lindqvist] Dear council,\nWe ask for help');
  const at = ed.text.indexOf('for help');
  ed.dispatch(ed.state.update(remoteTransaction([{ retain: at }, { insert: '(kindly) ' }, { retain: ed.text.length - at }])));
  assert.equal(ed.text, '[Lindqvist] Dear council,\nWe ask (kindly) for help');
  undo(ed);
  assert.equal(ed.text, '[Lindqvist] Dear council,\nWe ask (kindly) for ');
  undo(ed);
  assert.equal(ed.text, '[Lindqvist] Dear council,\nWe ask (kindly) ');
  undo(ed);
  undo(ed);
  assert.equal(ed.text, '[Lindqvist] Dear council,\n(kindly) ', 'the co-author\'s words stay');
  assert.equal(undo(ed), false, 'nothing of ours is left to undo');
  redo(ed);
  redo(ed);
  assert.equal(ed.text, '[Lindqvist] Dear council,\nWe ask (kindly) ');
  // Every local change, undo and redo included, was reported as an operation to send.
  for (const { before, ops } of ed.local) assert.equal(typeof apply(before, ops), 'string');
});

test('a remote change never enters the undo history', () => {
  const ed = editor('abc');
  ed.remote('abcdef');
  assert.equal(undo(ed), false);
  assert.equal(ed.text, 'abcdef');
});

test('inputGuard: control characters are removed and the letter stops at its limit, saying so', () => {
  const reports = [];
  const ed = editor('12345', [inputGuard((kind) => reports.push(kind), 10)]);
  ed.dispatch(ed.state.update({ changes: { from: 5, insert: 'a\u0007b\u0000c' }, userEvent: 'input.paste' }));
  assert.equal(ed.text, '12345abc');
  assert.deepEqual(reports, ['control']);
  ed.dispatch(ed.state.update({ changes: { from: 8, insert: 'xyz😀' }, userEvent: 'input.paste' }));
  assert.equal(ed.text, '12345abcxy', 'everything up to the limit is kept');
  assert.deepEqual(reports, ['control', 'too_long']);
  ed.dispatch(ed.state.update({ changes: { from: 0, to: 1, insert: '😀' }, userEvent: 'input.paste' }));
  assert.equal(ed.text, '2345abcxy', 'no half of a surrogate pair: the emoji does not fit');
  // Co-authors' changes are the server's business, never cut here.
  ed.remote('2345abcxy and more');
  assert.equal(ed.text, '2345abcxy and more');
  assert.equal(stripControl('a\tb\nc\u001bd'), 'a\tb\ncd');
});

test('toolbar commands: bold toggles, heading and list prefix lines, link selects the address', () => {
  const ed = editor('We ask\nfor help');
  ed.state = ed.state.update({ selection: EditorSelection.range(3, 6) }).state;
  FORMAT_COMMANDS.bold(ed);
  assert.equal(ed.text, 'We **ask**\nfor help');
  FORMAT_COMMANDS.bold(ed);
  assert.equal(ed.text, 'We ask\nfor help');
  ed.state = ed.state.update({ selection: EditorSelection.range(0, ed.state.doc.length) }).state;
  FORMAT_COMMANDS.list(ed);
  assert.equal(ed.text, '- We ask\n- for help');
  FORMAT_COMMANDS.list(ed);
  assert.equal(ed.text, 'We ask\nfor help');
  ed.state = ed.state.update({ selection: EditorSelection.range(0, 2) }).state;
  FORMAT_COMMANDS.link(ed);
  assert.equal(ed.text, '[We](https://) ask\nfor help');
  const { from, to } = ed.state.selection.main;
  assert.equal(ed.state.doc.sliceString(from, to), 'https://');
  undo(ed);
  assert.equal(ed.text, 'We ask\nfor help');
});

test('authorship: runs are rounded to whole words; new text takes its writer\'s colour', async () => {
  const { wordRuns, authorshipColours, changeAuthor, setAuthorship } = await import('../../static/js/drafting/authorship.js');
  const ada = { id: 1, name: 'Ada' };
  const bo = { id: 2, name: 'Bo' };
  const text = 'Dear council, we ask';
  // Bo wrote "ncil, we a" in the middle of Ada's words: whole words go to whoever began them.
  const runs = wordRuns([{ text: 'Dear cou', author: ada }, { text: 'ncil, we a', author: bo }, { text: 'sk', author: ada }], text);
  assert.deepEqual(
    runs.map((r) => [text.slice(r.from, r.to), r.author.name]),
    [['Dear council', 'Ada'], [', we ask', 'Bo']],
  );
  const state0 = EditorState.create({ doc: text, extensions: [authorshipColours({ self: ada })] });
  let state = state0.update({ effects: setAuthorship.of(runs) }).state;
  state = state.update({ changes: { from: 0, insert: 'Hi ' }, annotations: [changeAuthor.of(bo)] }).state;
  state = state.update({ changes: { from: state.doc.length, insert: ' now' }, userEvent: 'input.type' }).state;
  const seen = [];
  const decos = state.facet(EditorView.decorations).map((d) => (typeof d === 'function' ? null : d)).filter(Boolean);
  for (const set of decos) set.between(0, state.doc.length, (from, to, deco) => seen.push([state.doc.sliceString(from, to), deco.spec.author.name]));
  seen.sort((a, b) => state.doc.toString().indexOf(a[0]) - state.doc.toString().indexOf(b[0]));
  assert.deepEqual(seen, [['Hi ', 'Bo'], ['Dear council', 'Ada'], [', we ask', 'Bo'], [' now', 'Ada']]);
  state = state.update({ effects: setAuthorship.of(null) }).state;
  const after = [];
  for (const set of state.facet(EditorView.decorations).filter((d) => typeof d !== 'function')) set.between(0, state.doc.length, () => after.push(1));
  assert.equal(after.length, 0, 'off');
});
