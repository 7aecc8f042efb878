import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorState } from '@codemirror/state';
import { history, redo, undo } from '@codemirror/commands';
import { DraftSaver, isEmptyDraft, startsUndoStep, stepBack, typeInto } from '../../static/js/drafting/suggestion-draft.js';
import { closeDraft, draftsField, historyCommand, suggestionTyping } from '../../static/js/drafting/suggest-typing.js';
import { inputGuard, remoteTransaction } from '../../static/js/drafting/binding.js';

// ------------------------------------------------------------------ typeInto

const keys = () => {
  let n = 0;
  return () => (n += 1);
};

test('stepBack takes one character (both halves of an emoji) or one word with its spaces', () => {
  assert.equal(stepBack('abc', false), 1);
  assert.equal(stepBack('a🎉', false), 2);
  assert.equal(stepBack('hello world  ', true), 'world  '.length);
  assert.equal(stepBack('', false), 0);
});

test('a run of typing grows one draft; Backspace takes back what was typed, then strikes what stood before', () => {
  const nextKey = keys();
  const text = 'We ask the city.';
  const at = text.indexOf(' the');
  let { draft, ended } = typeInto(null, { from: at, to: at, insert: ' n' }, { nextKey });
  assert.equal(ended, null);
  ({ draft } = typeInto(draft, { from: at, to: at, insert: 'ow' }, { nextKey }));
  assert.deepEqual(draft, { key: 1, from: at, to: at, text: ' now' });
  // Backspace at the caret (the editor would delete the character before `to`): the typed "w" goes.
  ({ draft } = typeInto(draft, { from: at - 1, to: at, insert: '' }, { nextKey, backward: true }));
  assert.equal(draft.text, ' no');
  for (let i = 0; i < 3; i += 1) ({ draft } = typeInto(draft, { from: at - 1, to: at, insert: '' }, { nextKey, backward: true }));
  assert.ok(isEmptyDraft(draft), 'all typed text taken back: nothing suggested');
  // Once nothing typed is left, Backspace strikes the letter's own characters, one by one.
  const before = (pos) => text.slice(0, pos);
  for (let i = 0; i < 3; i += 1) {
    ({ draft } = typeInto(draft, { from: at - 1, to: at, insert: '' }, { nextKey, backward: true, textBefore: before }));
  }
  assert.equal(text.slice(draft.from, draft.to), 'ask');
  assert.equal(draft.key, 1, 'still the same run');
});

test('Ctrl+Backspace takes back a typed word, then strikes a whole word', () => {
  const text = 'We ask the city.';
  const at = text.indexOf(' city');
  const nextKey = keys();
  let { draft } = typeInto(null, { from: at, to: at, insert: ' big old' }, { nextKey });
  ({ draft } = typeInto(draft, { from: at - 3, to: at, insert: '' }, { nextKey, backward: true }));
  assert.equal(draft.text, ' big ');
  ({ draft } = typeInto(draft, { from: at - 4, to: at, insert: '' }, { nextKey, backward: true }));
  ({ draft } = typeInto(draft, { from: at - 4, to: at, insert: '' }, { nextKey, backward: true }));
  assert.equal(draft.text, '');
  ({ draft } = typeInto(draft, { from: at - 3, to: at, insert: '' }, { nextKey, backward: true, textBefore: (p) => text.slice(0, p) }));
  assert.equal(text.slice(draft.from, draft.to), 'the');
});

test('Delete strikes forward, typing over a selection replaces it, and a change elsewhere starts a new draft', () => {
  const nextKey = keys();
  let { draft } = typeInto(null, { from: 3, to: 6, insert: 'demand' }, { nextKey }); // "ask" selected, typed over
  assert.deepEqual(draft, { key: 1, from: 3, to: 6, text: 'demand' });
  ({ draft } = typeInto(draft, { from: 6, to: 7, insert: '' }, { nextKey })); // Delete at the caret
  assert.deepEqual([draft.from, draft.to, draft.text], [3, 7, 'demand']);
  const next = typeInto(draft, { from: 12, to: 12, insert: 'x' }, { nextKey });
  assert.deepEqual(next.ended, draft);
  assert.deepEqual(next.draft, { key: 2, from: 12, to: 12, text: 'x' });
});

// ----------------------------------------------------------------- DraftSaver

/** Timers run by hand, and a server whose answers the test releases one by one. */
function harness(payloads) {
  const timers = new Map();
  let timerId = 0;
  const sent = [];
  const events = [];
  const saver = new DraftSaver({
    debounceMs: 600,
    setTimer: (fn) => {
      timerId += 1;
      timers.set(timerId, fn);
      return timerId;
    },
    clearTimer: (id) => timers.delete(id),
    snapshot: (key) => payloads.get(key),
    send: (kind, id, payload) =>
      new Promise((resolve) => {
        sent.push({ kind, id, payload, resolve });
      }),
    onSaved: (key, id) => events.push(['saved', key, id]),
    onSettled: (key, id) => events.push(['settled', key, id]),
    onFailed: (key, error) => events.push(['failed', key, error.code]),
  });
  const runTimers = () => {
    const due = [...timers.values()];
    timers.clear();
    for (const fn of due) fn();
  };
  const answer = async (result) => {
    const request = sent.find((r) => !r.answered);
    request.answered = true;
    request.resolve(result);
    await new Promise((r) => setImmediate(r));
  };
  return { saver, sent, events, runTimers, answer, timers };
}

test('a draft is created once, then updated; changes made while a save is on its way follow it, in order', async () => {
  const payloads = new Map([[1, { base_revision: 3, patch: 'p1' }]]);
  const { saver, sent, events, runTimers, answer } = harness(payloads);
  assert.equal(saver.busy, false);
  saver.changed(1);
  saver.changed(1);
  assert.equal(sent.length, 0, 'nothing before the pause');
  assert.equal(saver.busy, true, 'not saved yet: leaving the page would lose it');
  runTimers();
  assert.deepEqual(sent.map((r) => [r.kind, r.id, r.payload.patch]), [['create', null, 'p1']]);
  payloads.set(1, { base_revision: 3, patch: 'p2' });
  saver.changed(1);
  runTimers();
  assert.equal(sent.length, 1, 'one save at a time');
  await answer({ ok: true, id: 41 });
  assert.deepEqual(sent.map((r) => [r.kind, r.id, r.payload.patch]), [
    ['create', null, 'p1'],
    ['update', 41, 'p2'],
  ]);
  await answer({ ok: true });
  assert.equal(saver.idOf(1), 41);
  assert.deepEqual(events, [
    ['saved', 1, 41],
    ['saved', 1, 41],
  ]);
  assert.equal(saver.busy, false);
});

test('an emptied draft withdraws its suggestion; a finished one settles once everything is saved', async () => {
  const payloads = new Map([[1, { base_revision: 0, patch: 'p' }]]);
  const { saver, sent, events, runTimers, answer } = harness(payloads);
  saver.changed(1);
  runTimers();
  await answer({ ok: true, id: 7 });
  payloads.set(1, null); // everything typed taken back
  saver.finish(1);
  assert.deepEqual([sent[1].kind, sent[1].id], ['withdraw', 7]);
  await answer({ ok: true });
  assert.deepEqual(events.at(-1), ['settled', 1, null]);
  // A draft emptied before it was ever saved sends nothing at all.
  payloads.set(2, null);
  saver.finish(2);
  assert.equal(sent.length, 2);
  assert.deepEqual(events.at(-1), ['settled', 2, null]);
});

test('a conflict is tried again on the newest text; another refusal is reported', async () => {
  const payloads = new Map([[1, { base_revision: 1, patch: 'p' }]]);
  const { saver, sent, events, runTimers, answer } = harness(payloads);
  saver.changed(1);
  runTimers();
  await answer({ ok: false, error: { code: 'conflict' } });
  assert.equal(sent.length, 2, 'sent again at once');
  await answer({ ok: false, error: { code: 'bad_request', message: 'no' } });
  assert.deepEqual(events, [['failed', 1, 'bad_request']]);
});

test('a forgotten draft (decided by someone else) sends nothing more', async () => {
  const payloads = new Map([[1, { base_revision: 1, patch: 'p' }]]);
  const { saver, sent, events, runTimers, answer, timers } = harness(payloads);
  saver.changed(1);
  runTimers();
  saver.changed(1);
  saver.forget(1);
  assert.equal(timers.size, 0);
  await answer({ ok: true, id: 3 });
  assert.equal(sent.length, 1);
  assert.deepEqual(events, []);
});

// ------------------------------------------------------------ the editor extension

/** An editor state in suggestion mode (or not), with the input guard, as the page has it. */
function suggesting(doc, on = { value: true }) {
  const seen = [];
  let state = EditorState.create({
    doc,
    extensions: [
      history({ newGroupDelay: 1500 }),
      inputGuard(() => {}),
      suggestionTyping({
        isOn: () => on.value,
        self: { id: 1, name: 'Ada' },
        labels: {},
        onDrafts: () => {},
      }),
    ],
  });
  const ed = {
    get state() {
      return state;
    },
    dispatch(spec) {
      const tr = state.update(spec);
      seen.push(tr);
      state = tr.state;
      return tr;
    },
    type(text) {
      for (const ch of text) {
        const at = state.selection.main.head;
        ed.dispatch({ changes: { from: at, insert: ch }, selection: { anchor: at + 1 }, userEvent: 'input.type' });
      }
    },
    backspace() {
      const at = state.selection.main.head;
      ed.dispatch({ changes: { from: at - 1, to: at }, userEvent: 'delete.backward' });
    },
    drafts: () => state.field(draftsField),
    undo: () => historyCommand(undo, () => on.value)(ed),
    redo: () => historyCommand(redo, () => on.value)(ed),
  };
  return ed;
}

test('in suggestion mode typing never changes the text: it becomes the draft, and the caret stays after it', () => {
  const ed = suggesting('We ask the city.');
  ed.dispatch({ selection: { anchor: 6 } });
  ed.type(' now');
  assert.equal(ed.state.doc.toString(), 'We ask the city.');
  assert.deepEqual(ed.drafts().current, { key: 1, from: 6, to: 6, text: ' now' });
  assert.equal(ed.state.selection.main.head, 6);
  ed.backspace();
  assert.equal(ed.drafts().current.text, ' no');
  // Undo has nothing of this person's to take back here: it changes nothing.
  ed.dispatch({ changes: { from: 0, to: 2 }, userEvent: 'undo' });
  assert.equal(ed.state.doc.toString(), 'We ask the city.');
  assert.equal(ed.drafts().current.text, ' no');
});

test('control characters are taken out of a suggestion as out of an edit', () => {
  const ed = suggesting('abc');
  ed.dispatch({ selection: { anchor: 3 } });
  ed.dispatch({ changes: { from: 3, insert: 'd\u0007e' }, userEvent: 'input.paste' });
  assert.equal(ed.drafts().current.text, 'de');
});

test("moving the caret away ends the run; co-authors' changes move the drafts with the text", () => {
  const ed = suggesting('We ask the city.');
  ed.dispatch({ selection: { anchor: 6 } });
  ed.type('!');
  ed.dispatch({ selection: { anchor: 0 }, userEvent: 'select' });
  assert.equal(ed.drafts().current, null);
  assert.deepEqual(ed.drafts().closing.map((d) => [d.from, d.to, d.text]), [[6, 6, '!']]);
  ed.dispatch(remoteTransaction([{ insert: 'URGENT: ' }, { retain: 16 }]));
  assert.deepEqual(ed.drafts().closing.map((d) => [d.from, d.to]), [[14, 14]]);
  assert.equal(ed.state.doc.toString(), 'URGENT: We ask the city.', 'a remote change is applied as it is');
  // A new run elsewhere is another draft.
  ed.dispatch({ selection: { anchor: 0 } });
  ed.type('X');
  assert.equal(ed.drafts().current.key, 2);
});

test('with suggestion mode off, typing edits the text and an open run ends', () => {
  const on = { value: true };
  const ed = suggesting('abc', on);
  ed.dispatch({ selection: { anchor: 3 } });
  ed.type('d');
  on.value = false;
  ed.type('e'); // the first keystroke after turning it off also ends the run
  assert.equal(ed.drafts().closing.length, 1);
  ed.dispatch({ effects: closeDraft.of(null) }); // ending it again changes nothing
  assert.equal(ed.state.doc.toString(), 'abce');
  assert.equal(ed.drafts().current, null);
  assert.equal(ed.drafts().closing.length, 1);
});

// ------------------------------------------------------------ undo and redo

test('startsUndoStep groups typing word by word, as normal mode does', () => {
  const step = (inserted, before, more = {}) => ({ key: 1, kind: 'insert', at: 10, inserted, before, ...more });
  const last = { key: 1, kind: 'insert', at: 0 };
  assert.equal(startsUndoStep(null, step('a', ' '), 1500), true, 'the first step');
  assert.equal(startsUndoStep(last, step('a', ' '), 1500), true, 'a word begins after a space');
  assert.equal(startsUndoStep(last, step('b', 'a'), 1500), false, 'inside a word');
  assert.equal(startsUndoStep(last, step(' ', 'a'), 1500), false, 'a space joins the word before it');
  assert.equal(startsUndoStep(last, step('b', 'a', { key: 2 }), 1500), true, 'another draft');
  assert.equal(startsUndoStep(last, step('b', 'a', { at: 2000 }), 1500), true, 'after a pause');
  assert.equal(startsUndoStep(last, step('', '', { kind: 'delete' }), 1500), true, 'deleting after typing');
  assert.equal(startsUndoStep({ ...last, kind: 'delete' }, step('', '', { kind: 'delete' }), 1500), false);
});

test('in suggestion mode undo takes back the typed suggestion word by word, never the text; redo brings it back', () => {
  const on = { value: false };
  const ed = suggesting('We ask the city.', on);
  ed.dispatch({ selection: { anchor: 16 } });
  ed.type(' Now.'); // in normal mode: a change of the text
  on.value = true;
  ed.dispatch({ selection: { anchor: 6 } });
  ed.type(' today and now');
  assert.equal(ed.drafts().current.text, ' today and now');
  assert.equal(ed.undo(), true);
  assert.equal(ed.drafts().current.text, ' today and ');
  ed.undo();
  assert.equal(ed.drafts().current.text, ' today ');
  ed.undo();
  ed.undo();
  assert.ok(isEmptyDraft(ed.drafts().current), 'all taken back: nothing suggested (the page withdraws it)');
  assert.equal(ed.drafts().current.key, 1, 'still the same run');
  assert.equal(ed.undo(), true, 'the key is used up...');
  assert.equal(ed.state.doc.toString(), 'We ask the city. Now.', "...and the text's own change stays");
  ed.redo();
  assert.equal(ed.drafts().current.text, ' ');
  ed.redo();
  ed.redo();
  assert.equal(ed.drafts().current.text, ' today and ');
  ed.redo();
  ed.redo();
  assert.equal(ed.drafts().current.text, ' today and now');
  assert.equal(ed.state.doc.toString(), 'We ask the city. Now.');
  assert.equal(ed.state.selection.main.head, 6, 'the caret stays after the draft');
});

test("undo in suggestion mode takes back struck words too, and follows co-authors' changes", () => {
  const ed = suggesting('We ask the city.');
  ed.dispatch({ selection: { anchor: 6 } });
  ed.backspace();
  ed.backspace();
  ed.backspace();
  ed.type('demand');
  ed.dispatch(remoteTransaction([{ insert: 'URGENT: ' }, { retain: 16 }]));
  assert.deepEqual(ed.drafts().current, { key: 1, from: 11, to: 14, text: 'demand' });
  ed.undo();
  assert.deepEqual(ed.drafts().current, { key: 1, from: 11, to: 14, text: '' });
  ed.undo();
  assert.deepEqual(ed.drafts().current, { key: 1, from: 14, to: 14, text: '' });
  assert.equal(ed.state.doc.toString(), 'URGENT: We ask the city.');
  ed.redo();
  assert.deepEqual(ed.drafts().current, { key: 1, from: 11, to: 14, text: '' });
});

test('a run of typing that ended is out of undo\'s reach; normal mode passes over it to its own changes', () => {
  const on = { value: false };
  const ed = suggesting('abc', on);
  ed.dispatch({ selection: { anchor: 3 } });
  ed.type('d');
  on.value = true;
  ed.dispatch({ selection: { anchor: 0 } });
  ed.type('X');
  ed.dispatch({ selection: { anchor: 2 }, userEvent: 'select' }); // the run ends
  assert.equal(ed.drafts().closing.length, 1);
  ed.undo();
  assert.equal(ed.drafts().closing[0].text, 'X', 'the ended run is saved as it was');
  assert.equal(ed.state.doc.toString(), 'abcd');
  on.value = false;
  ed.undo();
  assert.equal(ed.state.doc.toString(), 'abc', "normal mode's undo reaches the person's own typing");
  assert.equal(ed.drafts().closing[0].text, 'X');
  ed.redo();
  assert.equal(ed.state.doc.toString(), 'abcd');
});
