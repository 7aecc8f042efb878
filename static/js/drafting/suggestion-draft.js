/**
 * Suggestion mode's logic, free of the DOM and of CodeMirror (tested in
 * Node): what a keystroke does to the suggestion being typed, and the saver
 * that turns a run of typing into one suggestion on the server, created and
 * then updated as the person types, a moment after each change.
 *
 * A *draft* is one run of typing: it replaces the letter's characters
 * `[from, to)` (document offsets; struck out on screen) with `text`
 * (shown inserted after them). The caret stays at `to`, just after the
 * inserted text. The letter's own text never changes.
 *
 * @module drafting/suggestion-draft
 */

/**
 * @typedef {{key: number, from: number, to: number, text: string}} Draft
 * @typedef {{from: number, to: number, insert: string}} Change one change
 *   covering everything a transaction changed, in the document before it
 */

/**
 * How many UTF-16 units a backward deletion takes from the end of `text`:
 * the last character (both halves of a surrogate pair), or with `word`
 * the last word and the spaces after it.
 *
 * @param {string} text
 * @param {boolean} word
 * @returns {number}
 */
export function stepBack(text, word) {
  if (!text) return 0;
  if (word) {
    const match = /(?:[^\s]+\s*|\s+)$/u.exec(text);
    return match ? match[0].length : 1;
  }
  const last = text.charCodeAt(text.length - 1);
  const before = text.length > 1 ? text.charCodeAt(text.length - 2) : 0;
  return last >= 0xdc00 && last <= 0xdfff && before >= 0xd800 && before <= 0xdbff ? 2 : 1;
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * Whether one step of typing in a draft begins a new undo step, as the
 * editor's history groups typing in normal mode (drafting/binding.js,
 * `startsWord`): each new draft, a switch between typing and deleting, a
 * pause, or a word character typed after a space or punctuation.
 *
 * @param {{key: number, kind: 'insert'|'delete', at: number}|null} last the previous step
 *   (`at`: its time in milliseconds)
 * @param {{key: number, kind: 'insert'|'delete', at: number, inserted: string, before: string}} step
 *   `before`: the character just before what it inserts (typed or the letter's), or ''
 * @param {number} delayMs a pause at least this long starts a new step
 * @returns {boolean}
 */
export function startsUndoStep(last, step, delayMs) {
  if (!last || last.key !== step.key || last.kind !== step.kind || step.at - last.at >= delayMs) return true;
  if (step.kind !== 'insert' || !step.inserted || !WORD.test(step.inserted[0])) return false;
  return !step.before || !WORD.test(step.before);
}

/** Whether a draft suggests nothing (all typed text deleted again, nothing struck). */
export function isEmptyDraft(draft) {
  return !draft || (draft.text === '' && draft.from === draft.to);
}

/**
 * What one change does in suggestion mode.
 *
 * - With no draft, or a change away from it, a new draft begins with the
 *   change itself (`ended` is the draft it ends, if any).
 * - A change touching the draft widens it: what it removes is struck out
 *   too, what it inserts is added to the draft's text.
 * - A backward deletion at the caret (Backspace, Ctrl+Backspace) removes
 *   the last typed character (or word); with nothing typed, it strikes out
 *   the character (or word) before the struck range.
 *
 * @param {Draft|null} draft the draft being typed, or null
 * @param {Change} change
 * @param {{backward?: boolean, textBefore?: (pos: number) => string, nextKey: () => number}} how
 *   `backward`: the change is a backward deletion; `textBefore(pos)`: some
 *   of the document's text just before `pos` (a line is plenty)
 * @returns {{draft: Draft, ended: Draft|null}}
 */
export function typeInto(draft, change, how) {
  const { from, to, insert } = change;
  const touches = draft && from <= draft.to && to >= draft.from;
  if (!touches) {
    return { draft: { key: how.nextKey(), from, to, text: insert }, ended: draft || null };
  }
  if (how.backward && insert === '' && to === draft.to && from < to) {
    const word = to - from > 2;
    if (draft.text) {
      const n = Math.min(draft.text.length, word ? stepBack(draft.text, true) : stepBack(draft.text, false));
      return { draft: { ...draft, text: draft.text.slice(0, draft.text.length - n) }, ended: null };
    }
    const before = how.textBefore ? how.textBefore(draft.from) : '';
    const n = before ? stepBack(before, word) : Math.min(draft.from, to - from);
    return { draft: { ...draft, from: Math.max(0, draft.from - n) }, ended: null };
  }
  return {
    draft: { ...draft, from: Math.min(draft.from, from), to: Math.max(draft.to, to), text: draft.text + insert },
    ended: null,
  };
}

/**
 * @typedef {object} SaveAnswer
 * @property {boolean} ok
 * @property {number} [id] the suggestion's id (after a create)
 * @property {{code?: string, message?: string}} [error]
 */

/**
 * Saves each draft as one suggestion: the first save creates it, later ones
 * update it, and a draft emptied again withdraws it. Saves of one draft go
 * one at a time, in order; changes made meanwhile go in the next one.
 */
export class DraftSaver {
  /**
   * @param {object} deps
   * @param {(kind: 'create'|'update'|'withdraw', id: number|null, payload: object|null) => Promise<SaveAnswer>} deps.send
   * @param {(key: number) => (object|null|undefined)} deps.snapshot the draft's
   *   payload now (`{base_revision, patch}`), null when it is empty, undefined when it is gone
   * @param {(key: number, id: number|null) => void} [deps.onSettled] a finished draft has nothing left to save
   * @param {(key: number, id: number|null) => void} [deps.onSaved] a save went through
   * @param {(key: number, error: object) => void} [deps.onFailed] a save was refused
   * @param {number} [deps.debounceMs]
   * @param {(fn: () => void, ms: number) => any} [deps.setTimer]
   * @param {(timer: any) => void} [deps.clearTimer]
   */
  constructor(deps) {
    this.deps = deps;
    this.debounceMs = deps.debounceMs ?? 600;
    this.setTimer = deps.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer || ((t) => clearTimeout(t));
    /** @type {Map<number, {id: number|null, timer: any, busy: boolean, again: boolean, finished: boolean, failures: number}>} */
    this.entries = new Map();
  }

  _entry(key) {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { id: null, timer: null, busy: false, again: false, finished: false, failures: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** The suggestion id a draft was saved as (null before its first save). */
  idOf(key) {
    const entry = this.entries.get(key);
    return entry ? entry.id : null;
  }

  /** The draft changed: save it a moment after the last change. */
  changed(key) {
    const entry = this._entry(key);
    if (entry.timer !== null) this.clearTimer(entry.timer);
    entry.timer = this.setTimer(() => {
      entry.timer = null;
      this._save(key);
    }, this.debounceMs);
  }

  /** The run of typing ended: save it now, for the last time. */
  finish(key) {
    const entry = this._entry(key);
    entry.finished = true;
    if (entry.timer !== null) this.clearTimer(entry.timer);
    entry.timer = null;
    this._save(key);
  }

  /** Stop saving a draft (its suggestion was decided by someone else). */
  forget(key) {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.timer !== null) this.clearTimer(entry.timer);
    this.entries.delete(key);
  }

  /** Whether something is still to be sent or on its way. */
  get busy() {
    for (const entry of this.entries.values()) if (entry.busy || entry.timer !== null) return true;
    return false;
  }

  async _save(key) {
    const entry = this._entry(key);
    if (entry.busy) {
      entry.again = true;
      return;
    }
    const payload = this.deps.snapshot(key);
    let kind = null;
    if (payload === undefined) kind = null;
    else if (payload === null) kind = entry.id === null ? null : 'withdraw';
    else kind = entry.id === null ? 'create' : 'update';
    if (kind === null) {
      this._settle(key, entry);
      return;
    }
    entry.busy = true;
    let answer;
    try {
      answer = await this.deps.send(kind, entry.id, payload);
    } catch (error) {
      answer = { ok: false, error: { message: String(error && error.message) } };
    }
    entry.busy = false;
    if (this.entries.get(key) !== entry) return; // forgotten meanwhile
    if (answer.ok) {
      entry.failures = 0;
      if (kind === 'create' && answer.id !== undefined) entry.id = answer.id;
      if (kind === 'withdraw') entry.id = null;
      if (this.deps.onSaved) this.deps.onSaved(key, entry.id);
    } else {
      entry.failures += 1;
      // A co-author's revision landed between the snapshot and the server's check: once more, on the newest text.
      const retry = answer.error && answer.error.code === 'conflict' && entry.failures < 3;
      if (retry) entry.again = true;
      else if (this.deps.onFailed) this.deps.onFailed(key, answer.error || {});
    }
    if (entry.again) {
      entry.again = false;
      this._save(key);
      return;
    }
    this._settle(key, entry);
  }

  _settle(key, entry) {
    if (!entry.finished || entry.busy || entry.timer !== null) return;
    this.entries.delete(key);
    if (this.deps.onSettled) this.deps.onSettled(key, entry.id);
  }
}
