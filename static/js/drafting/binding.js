/**
 * The binding between CodeMirror's state and our sync session, free of the
 * DOM (only @codemirror/state), so that it can be tested in Node.
 *
 * - Local changes: {@link changesToOps} turns a transaction's ChangeSet into
 *   the session's retain / insert / delete operation.
 * - Remote changes: {@link remoteTransaction} turns the session's operation
 *   into a transaction annotated {@link remoteChange} and kept out of the
 *   undo history (`Transaction.addToHistory.of(false)`): CodeMirror's history
 *   then maps the person's own changes through it, so undo and redo touch
 *   only what this person typed.
 * - {@link startsWord} groups the undo history word by word.
 * - {@link inputGuard} keeps the text within the letter's limit and free of
 *   control characters, telling the page what it did.
 *
 * @module drafting/binding
 */
import { Annotation, EditorState, Transaction } from '@codemirror/state';
import { push } from './operations.js';
import { MAX_TEXT_UNITS } from './chunks.js';

/** Marks a transaction that carries a co-author's change (or the server's text). */
export const remoteChange = Annotation.define();

/**
 * The session operation (on the transaction's start document) for a
 * CodeMirror ChangeSet.
 *
 * @param {import('@codemirror/state').ChangeSet} changes
 * @returns {import('./operations.js').Op[]}
 */
export function changesToOps(changes) {
  const ops = [];
  let at = 0;
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    push(ops, { retain: fromA - at });
    push(ops, { insert: inserted.toString() });
    push(ops, { delete: toA - fromA });
    at = toA;
  });
  push(ops, { retain: changes.length - at });
  return ops;
}

/**
 * CodeMirror change specs (positions in the operation's base text) for a
 * session operation.
 *
 * @param {import('./operations.js').Op[]} ops
 * @returns {Array<{from: number, to?: number, insert?: string}>}
 */
export function opsToChanges(ops) {
  const changes = [];
  let at = 0;
  for (const op of ops) {
    if ('retain' in op) at += op.retain;
    else if ('insert' in op) changes.push({ from: at, insert: op.insert });
    else {
      changes.push({ from: at, to: at + op.delete });
      at += op.delete;
    }
  }
  return changes;
}

/**
 * A transaction spec applying a co-author's change: outside the undo
 * history, annotated as remote.
 *
 * @param {import('./operations.js').Op[]} ops an operation on the state's document
 * @returns {import('@codemirror/state').TransactionSpec}
 */
export function remoteTransaction(ops) {
  return {
    changes: opsToChanges(ops),
    annotations: [remoteChange.of(true), Transaction.addToHistory.of(false)],
  };
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * Whether a typing transaction starts a new word (a word character typed
 * after a space, a line break or punctuation): the undo history begins a
 * new step there, so undo removes what was typed word by word.
 *
 * @param {import('@codemirror/state').Transaction} tr
 * @returns {boolean}
 */
export function startsWord(tr) {
  let starts = false;
  tr.changes.iterChanges((fromA, _toA, _fromB, _toB, inserted) => {
    const text = inserted.toString();
    if (!text || !WORD.test(text[0])) return;
    const before = fromA > 0 ? tr.startState.doc.sliceString(fromA - 1, fromA) : '';
    if (!before || !WORD.test(before)) starts = true;
  });
  return starts;
}

/**
 * `joinToEvent` for CodeMirror's `history()`: adjacent typing joins one
 * undo step until a new word begins.
 *
 * @param {import('@codemirror/state').Transaction} tr
 * @param {boolean} isAdjacent
 * @returns {boolean}
 */
export function joinWordByWord(tr, isAdjacent) {
  return isAdjacent && !startsWord(tr);
}

// C0 and C1 control characters other than tab and line feed, and DEL.
// (Carriage returns are line breaks: CodeMirror turns them into line feeds.)
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g; // eslint-disable-line no-control-regex

/**
 * Remove control characters (tab and line breaks stay).
 *
 * @param {string} text
 * @returns {string}
 */
export function stripControl(text) {
  return text.replace(CONTROL, '');
}

/**
 * A transaction filter for local input: control characters are removed, and
 * text that would take the letter past `maxUnits` UTF-16 code units is cut
 * at the limit (never inside a surrogate pair); everything up to the limit
 * is kept. `report(kind)` is called with `control` or `too_long`.
 *
 * @param {(kind: 'control'|'too_long') => void} report
 * @param {number} [maxUnits]
 * @returns {import('@codemirror/state').Extension}
 */
export function inputGuard(report, maxUnits = MAX_TEXT_UNITS) {
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged || tr.annotation(remoteChange)) return tr;
    let control = false;
    let spaces = false;
    // Chromium's contenteditable writes a typed space as a no-break space next to
    // an element boundary; a person typing a space means a space.
    const typed = tr.isUserEvent('input.type');
    const specs = [];
    tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
      let text = inserted.toString();
      const clean = stripControl(text);
      if (clean !== text) control = true;
      text = clean;
      if (typed && text.includes('\u00a0')) {
        text = text.replace(/\u00a0/g, ' ');
        spaces = true;
      }
      specs.push({ from: fromA, to: toA, insert: text });
    });
    const grown = specs.reduce((n, s) => n + s.insert.length - (s.to - s.from), 0);
    let room = maxUnits - tr.startState.doc.length;
    let tooLong = false;
    if (grown > room) {
      tooLong = true;
      for (const s of specs) {
        room += s.to - s.from;
        if (s.insert.length > room) {
          let n = Math.max(0, room);
          const code = s.insert.charCodeAt(n - 1);
          if (n > 0 && code >= 0xd800 && code <= 0xdbff) n -= 1;
          s.insert = s.insert.slice(0, n);
        }
        room -= s.insert.length;
      }
    }
    if (control) report('control');
    if (tooLong) report('too_long');
    if (!control && !tooLong && !spaces) return tr;
    const changes = specs.filter((s) => s.insert || s.to > s.from);
    const userEvent = tr.annotation(Transaction.userEvent);
    const set = tr.startState.changes(changes);
    // Same lengths (only characters swapped): keep the transaction's own selection.
    const selection = set.newLength === tr.changes.newLength && tr.selection ? tr.selection : { anchor: set.mapPos(tr.startState.selection.main.head, 1) };
    return {
      changes,
      selection,
      annotations: userEvent ? [Transaction.userEvent.of(userEvent)] : [],
      scrollIntoView: true,
    };
  });
}
