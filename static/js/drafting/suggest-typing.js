/**
 * Suggestion mode in the editor: while it is on, what the person types does
 * not change the letter. Each transaction that would change the text is
 * turned into a change of the *draft* suggestion (drafting/suggestion-draft.js)
 * and shown as decorations: the words it would remove struck through, its
 * new words inserted after them with the suggester's name. The shared
 * document never changes; the page saves the drafts as suggestions
 * (drafting/suggest-form.js).
 *
 * A run of typing ends, and its suggestion is saved for the last time, when
 * the caret moves away, the editor loses focus, or suggestion mode is
 * turned off; a draft stays on screen (as "closing") until the page has the
 * saved suggestion from the server.
 *
 * @module drafting/suggest-typing
 */
import { EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType } from '@codemirror/view';
import { remoteChange } from './binding.js';
import { ensureUserColor, userClass } from './cursors.js';
import { isEmptyDraft, typeInto } from './suggestion-draft.js';

/** Make this draft the one being typed (replacing the one with the same key). */
export const putDraft = StateEffect.define();
/** The run of typing ended: the current draft becomes a closing one. */
export const closeDraft = StateEffect.define();
/** Stop showing the draft with this key. */
export const dropDraft = StateEffect.define();

/**
 * @typedef {import('./suggestion-draft.js').Draft} Draft
 * @typedef {{current: Draft|null, closing: Draft[]}} Drafts
 */

const mapDraft = (draft, changes) => {
  const from = changes.mapPos(draft.from, 1);
  const to = Math.max(from, changes.mapPos(draft.to, -1));
  return { ...draft, from, to };
};

/** The drafts on screen: the one being typed and those being saved for the last time. */
export const draftsField = StateField.define({
  create: () => ({ current: null, closing: [] }),
  update(value, tr) {
    let { current, closing } = value;
    if (tr.docChanged) {
      current = current && mapDraft(current, tr.changes);
      closing = closing.map((d) => mapDraft(d, tr.changes));
    }
    for (const e of tr.effects) {
      if (e.is(closeDraft) && current) {
        closing = [...closing, current];
        current = null;
      } else if (e.is(putDraft)) {
        current = e.value;
      } else if (e.is(dropDraft)) {
        closing = closing.filter((d) => d.key !== e.value);
        if (current && current.key === e.value) current = null;
      }
    }
    return current === value.current && closing === value.closing ? value : { current, closing };
  },
});

/** Every draft on screen. */
export function allDrafts(drafts) {
  return drafts.current ? [...drafts.closing, drafts.current] : drafts.closing;
}

class DraftWidget extends WidgetType {
  constructor(text, self, label) {
    super();
    this.text = text;
    this.self = self;
    this.label = label;
  }

  eq(other) {
    return other.text === this.text && other.label === this.label;
  }

  toDOM(view) {
    const doc = view.dom.ownerDocument;
    if (this.self && this.self.color) ensureUserColor(doc, this.self);
    const box = doc.createElement('span');
    box.className = `cm-suggestion cm-suggestion-draft ${this.self && this.self.color ? userClass(this.self) : ''}`;
    if (this.text) {
      const ins = doc.createElement('ins');
      ins.textContent = this.text;
      box.append(ins);
    }
    const by = doc.createElement('span');
    by.className = 'cm-suggestion-by';
    by.textContent = ` ${this.label}`;
    box.append(by);
    return box;
  }

  ignoreEvent() {
    return true;
  }
}

/**
 * The editor extension.
 *
 * @param {object} options
 * @param {() => boolean} options.isOn whether what is typed becomes a suggestion
 * @param {{id: any, name: string, color?: string}} options.self who types here
 * @param {Record<string, string>} options.labels `by` ("— suggested by {name}"), `deletedBy`
 * @param {(before: Drafts, after: Drafts, typed: boolean) => void} options.onDrafts after the drafts
 *   changed (`typed`: by the person's typing, not only moved by co-authors' changes)
 * @returns {import('@codemirror/state').Extension}
 */
export function suggestionTyping(options) {
  let keys = 0;
  const nextKey = () => {
    keys += 1;
    return keys;
  };
  const label = (options.labels.by || '— {name}').replace('{name}', options.self.name || '');
  const deletedLabel = (options.labels.deletedBy || '{name}').replace('{name}', options.self.name || '');

  // Runs after the other filters (the input guard has cleaned the text by then).
  const filter = Prec.highest(
    EditorState.transactionFilter.of((tr) => {
      if (!tr.docChanged || tr.annotation(remoteChange) || !options.isOn()) return tr;
      if (tr.isUserEvent('undo') || tr.isUserEvent('redo')) return {};
      let from = Infinity;
      let to = -Infinity;
      let fromB = Infinity;
      let toB = -Infinity;
      tr.changes.iterChanges((a, b, c, d) => {
        from = Math.min(from, a);
        to = Math.max(to, b);
        fromB = Math.min(fromB, c);
        toB = Math.max(toB, d);
      });
      const change = { from, to, insert: tr.newDoc.sliceString(fromB, toB) };
      const doc = tr.startState.doc;
      const { current } = tr.startState.field(draftsField);
      const { draft, ended } = typeInto(current, change, {
        backward: tr.isUserEvent('delete.backward'),
        textBefore: (pos) => doc.sliceString(Math.max(0, doc.lineAt(pos).from, pos - 200), pos),
        nextKey,
      });
      return {
        selection: { anchor: draft.to },
        effects: ended ? [closeDraft.of(null), putDraft.of(draft)] : [putDraft.of(draft)],
        scrollIntoView: true,
        userEvent: 'input.suggest',
      };
    }),
  );

  // The caret moved away from the draft (or suggestion mode is off): the run of typing ended.
  const ender = EditorState.transactionExtender.of((tr) => {
    if (tr.isUserEvent('input.suggest') || tr.annotation(remoteChange)) return null;
    const { current } = tr.startState.field(draftsField);
    if (!current || tr.effects.some((e) => e.is(closeDraft))) return null;
    if (!options.isOn() || (tr.selection && tr.newSelection.main.head !== tr.changes.mapPos(current.to, -1))) {
      return { effects: closeDraft.of(null) };
    }
    return null;
  });

  const decorations = EditorView.decorations.compute([draftsField], (state) => {
    const ranges = [];
    for (const d of allDrafts(state.field(draftsField))) {
      if (isEmptyDraft(d)) continue;
      if (d.to > d.from) {
        ranges.push(
          Decoration.mark({ class: 'cm-suggestion-del cm-suggestion-draft-del', attributes: { title: deletedLabel } }).range(
            d.from,
            d.to,
          ),
        );
      }
      ranges.push(Decoration.widget({ widget: new DraftWidget(d.text, options.self, label), side: -1 }).range(d.to));
    }
    return Decoration.set(ranges, true);
  });

  const listener = EditorView.updateListener.of((update) => {
    const before = update.startState.field(draftsField);
    const after = update.state.field(draftsField);
    if (before !== after) options.onDrafts(before, after, update.transactions.some((tr) => tr.isUserEvent('input.suggest')));
  });

  return [draftsField, filter, ender, decorations, listener];
}
