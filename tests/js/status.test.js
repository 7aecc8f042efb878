import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnnouncer, createNotices, showSaveState } from '../../static/js/drafting/status.js';

function fakeElement(dataset = {}) {
  return { dataset: { ...dataset }, textContent: '', hidden: true };
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
      const all = [...pending];
      pending.clear();
      for (const t of all) t.fn();
    },
    get size() {
      return pending.size;
    },
  };
}

test('co-authors\' changes are announced once per interval, not per keystroke, naming each author once', () => {
  const el = fakeElement({ template: '{names} changed the text.', and: 'and' });
  const timers = manualTimers();
  const announcer = createAnnouncer(el, { timers, delayMs: 4000 });
  for (let i = 0; i < 30; i += 1) announcer.changedBy({ id: 2, name: 'Alder Lindqvist' });
  announcer.changedBy({ id: 3, name: 'Alder Okafor' });
  announcer.changedBy({ id: 4, name: 'Mayor' });
  assert.equal(el.textContent, '', 'nothing said while they type');
  assert.equal(timers.size, 1, 'one pending announcement');
  timers.flush();
  assert.equal(el.textContent, 'Alder Lindqvist, Alder Okafor and Mayor changed the text.');
  announcer.changedBy({ id: 2, name: 'Alder Lindqvist' });
  timers.flush();
  assert.equal(el.textContent, 'Alder Lindqvist changed the text.');
});

test('save state labels come from the page, in its language', () => {
  const el = fakeElement({ labelSaved: 'Guardado', labelSaving: 'Guardando…', labelRetrying: 'Sin guardar: reintentando' });
  showSaveState(el, 'retrying');
  assert.equal(el.textContent, 'Sin guardar: reintentando');
  assert.equal(el.dataset.state, 'retrying');
  showSaveState(el, 'saved');
  assert.equal(el.textContent, 'Guardado');
});

test('notices explain refusals by code; they go once saved, and input notices once the person types on', () => {
  const el = fakeElement({ msgTooLarge: 'Too large.', msgControl: 'Control characters removed.', msgFailed: 'Not saved:' });
  const notices = createNotices(el);
  notices.error({ code: 'too_large', message: 'server words' });
  assert.equal(el.textContent, 'Too large.');
  notices.typed();
  notices.typed();
  assert.equal(el.textContent, 'Too large.', 'a refusal stays while the text is not saved');
  notices.saved();
  assert.equal(el.hidden, true);
  notices.show('control');
  notices.typed(); // the transaction that removed them
  notices.saved();
  assert.equal(el.textContent, 'Control characters removed.', 'still shown after that text is saved');
  notices.typed();
  assert.equal(el.hidden, true, 'gone once the person types on');
  notices.error({ code: 'bad_patch', message: 'hunk 1 does not apply' });
  assert.equal(el.textContent, 'Not saved: hunk 1 does not apply');
});

test('the notice that typing was lost to the lock stays: nothing will be saved again', () => {
  const el = fakeElement({ msgLocked: 'Not saved: the letter was locked.' });
  const notices = createNotices(el);
  notices.error({ code: 'locked', message: '' });
  notices.saved();
  notices.typed();
  notices.typed();
  assert.equal(el.hidden, false);
  assert.equal(el.textContent, 'Not saved: the letter was locked.');
});
