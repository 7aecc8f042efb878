/**
 * Authorship colours in the editor, per word: each word tinted with the
 * colour of the official who wrote it (the server's runs, whole words credited
 * as on the review's authorship page: a word to the author of most of its
 * characters), kept up to date as people type (new text takes its writer's
 * colour). Off until the person turns it on.
 *
 * The colour is a light tint behind the text (the text keeps its own
 * colour); the writer's name is in each word's `title`.
 *
 * @module drafting/authorship
 */
import { Annotation, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView } from '@codemirror/view';
import { ensureUserColor, userClass } from './cursors.js';

/** The author of a remote transaction's inserted text (`{id, name, color}`). */
export const changeAuthor = Annotation.define();

/** Turn the colours on with runs `[{from, to, author}]`, or off with null. */
export const setAuthorship = StateEffect.define();

const WORD = /[\p{L}\p{N}_'’-]/u;

/**
 * Runs of the server's authorship (`[{text, author}]`, joined they spell
 * the text; whole words already) as `[{from, to, author}]`, neighbours of one
 * author joined; a boundary that still falls inside a word (runs that are
 * not whole words) moves to the end of that word.
 *
 * @param {Array<{text: string, author: object}>} runs
 * @param {string} text the document the runs describe
 * @returns {Array<{from: number, to: number, author: object}>}
 */
export function wordRuns(runs, text) {
  const out = [];
  let at = 0;
  for (const run of runs) {
    let from = at;
    let to = at + run.text.length;
    at = to;
    const last = out[out.length - 1];
    if (last && last.to > from) from = last.to;
    while (to < text.length && to > 0 && WORD.test(text[to - 1]) && WORD.test(text[to])) to += 1;
    if (to <= from) continue;
    if (last && last.to === from && last.author.id === run.author.id) last.to = to;
    else out.push({ from, to, author: run.author });
  }
  return out;
}

function mark(author, self) {
  return Decoration.mark({
    class: `cm-author ${userClass(author)}${self ? ' cm-author-self' : ''}`,
    attributes: { title: String(author.name ?? '') },
    author,
  });
}

/**
 * The extension.
 *
 * @param {{self: {id: any, name: string, color?: string}}} options who types here
 * @returns {import('@codemirror/state').Extension}
 */
export function authorshipColours(options) {
  const field = StateField.define({
    create: () => null,
    update(value, tr) {
      for (const e of tr.effects) {
        if (e.is(setAuthorship)) {
          const runs = e.value;
          if (!runs) return null;
          return Decoration.set(
            runs.filter((r) => r.to > r.from).map((r) => mark(r.author, String(r.author.id) === String(options.self.id)).range(r.from, r.to)),
            true,
          );
        }
      }
      if (value === null || !tr.docChanged) return value;
      let next = value.map(tr.changes);
      const author = tr.annotation(changeAuthor) || (tr.isUserEvent('input') || tr.isUserEvent('delete') || tr.isUserEvent('undo') || tr.isUserEvent('redo') ? options.self : null);
      if (author) {
        const added = [];
        tr.changes.iterChangedRanges((_fromA, _toA, fromB, toB) => {
          if (toB > fromB) added.push(mark(author, String(author.id) === String(options.self.id)).range(fromB, toB));
        });
        if (added.length) next = next.update({ add: added, sort: true });
      }
      return next;
    },
    provide: (f) => EditorView.decorations.from(f, (v) => v || Decoration.none),
  });
  return [
    field,
    EditorView.updateListener.of((update) => {
      if (!update.state.field(field)) return;
      // Colour classes are made on demand, for whoever appears.
      update.state.field(field).between(update.view.viewport.from, update.view.viewport.to, (_f, _t, deco) => {
        ensureUserColor(update.view.dom.ownerDocument, deco.spec.author);
      });
    }),
  ];
}
