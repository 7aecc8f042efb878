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
 * Undo and redo: each step of typing enters CodeMirror's undo history as a
 * {@link draftStep} effect (no change of the text), so that in suggestion
 * mode Ctrl+Z takes back the person's own typing in the run of typing under
 * way, word by word as in normal mode, and Ctrl+Shift+Z / Ctrl+Y brings it
 * back; the page saves each step as it saves typing (an emptied draft
 * withdraws its suggestion). Undo never changes the letter there: a change
 * of the text made earlier in normal mode, or the steps of a run that has
 * ended (its suggestion is saved on its own), is out of its reach. In normal
 * mode undo passes over suggestion steps to the person's own text changes.
 *
 * @module drafting/suggest-typing
 */
import { Annotation, EditorState, Prec, StateEffect, StateField, Transaction } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap } from '@codemirror/view';
import { historyKeymap, invertedEffects, redo, undo } from '@codemirror/commands';
import { remoteChange } from './binding.js';
import { ensureUserColor, userClass } from './cursors.js';
import { isEmptyDraft, startsUndoStep, typeInto } from './suggestion-draft.js';

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

/**
 * One step of the person's typing as the undo history keeps it: the draft
 * being typed (the one with `draft.key`) becomes `draft` again. Steps with
 * the same `group` are undone and redone together (a word).
 */
export const draftStep = StateEffect.define({
  map: (value, changes) => ({ ...value, draft: mapDraft(value.draft, changes) }),
});

/** The undo group of a transaction of typing in suggestion mode (set by the filter). */
const stepGroup = Annotation.define();

/** A pause this long (ms) between keystrokes begins a new undo step, as in the editor's history. */
export const UNDO_GROUP_DELAY_MS = 1500;

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
      } else if (e.is(draftStep) && current && current.key === e.value.draft.key) {
        current = e.value.draft;
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
  // The last step of typing (for grouping the undo history word by word) and its group.
  let lastStep = null;
  let group = 0;

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
      const same = current && current.key === draft.key;
      const step = {
        key: draft.key,
        kind: change.insert ? 'insert' : 'delete',
        at: tr.annotation(Transaction.time) || Date.now(),
        inserted: change.insert,
        before: same && current.text ? current.text.slice(-1) : doc.sliceString(Math.max(0, change.from - 1), change.from),
      };
      if (startsUndoStep(lastStep, step, UNDO_GROUP_DELAY_MS)) group += 1;
      lastStep = step;
      return {
        selection: { anchor: draft.to },
        effects: ended ? [closeDraft.of(null), putDraft.of(draft)] : [putDraft.of(draft)],
        annotations: stepGroup.of(group),
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
    const typed = update.transactions.some((tr) => tr.isUserEvent('input.suggest') || tr.effects.some((e) => e.is(draftStep)));
    if (before !== after) options.onDrafts(before, after, typed);
  });

  // What the history keeps of a step of typing (or of its undoing): the draft as it stood before.
  const inverse = invertedEffects.of((tr) => {
    const { current } = tr.startState.field(draftsField);
    for (const e of tr.effects) {
      let key = null;
      let stepOf = null;
      if (e.is(putDraft) && tr.isUserEvent('input.suggest')) {
        key = e.value.key;
        stepOf = tr.annotation(stepGroup) ?? 0;
      } else if (e.is(draftStep) && current && current.key === e.value.draft.key) {
        key = e.value.draft.key;
        stepOf = e.value.group;
      }
      if (key === null) continue;
      const at = e.is(putDraft) ? e.value.to : e.value.draft.to;
      const was = current && current.key === key ? current : { key, from: at, to: at, text: '' };
      return [draftStep.of({ draft: was, group: stepOf })];
    }
    return [];
  });

  const undoKeys = historyKeymap.map((binding) => ({
    ...binding,
    run: binding.run && historyCommand(binding.run, options.isOn),
  }));
  const historyInput = EditorView.domEventHandlers({
    beforeinput(event, view) {
      const command = event.inputType === 'historyUndo' ? undo : event.inputType === 'historyRedo' ? redo : null;
      if (!command) return false;
      event.preventDefault();
      historyCommand(command, options.isOn)(view);
      return true;
    },
  });

  return [draftsField, filter, ender, decorations, listener, inverse, Prec.highest([keymap.of(undoKeys), historyInput])];
}

/**
 * A history command (undo, redo, undoSelection...) as suggestion mode has
 * it. Suggesting, it takes back (or brings back) the steps of the draft being
 * typed, one group at a time, and never a change of the text; with nothing
 * of that draft's to undo it does nothing. Not suggesting, it passes over the
 * steps of suggestions typed earlier to the person's own last change.
 *
 * @param {import('@codemirror/state').StateCommand} command
 * @param {() => boolean} isOn whether suggestion mode is on
 * @returns {import('@codemirror/state').StateCommand}
 */
export function historyCommand(command, isOn) {
  return (target) => {
    const suggesting = isOn();
    const start = target.state.selection;
    let group = null;
    let passed = false;
    for (;;) {
      let tr = null;
      command({
        state: target.state,
        dispatch: (t) => {
          tr = t;
        },
      });
      if (!tr) break;
      const steps = tr.effects.filter((e) => e.is(draftStep));
      const step = steps.length && tr.changes.empty ? steps[0].value : null;
      if (!suggesting) {
        target.dispatch(tr);
        if (!step) return true;
        passed = true; // a suggestion's step, out of normal mode's reach: on to the next
        continue;
      }
      if (!step && tr.changes.empty && !steps.length) {
        target.dispatch(tr); // only the selection moves back
        return true;
      }
      const { current } = target.state.field(draftsField);
      const live = step && current && current.key === step.draft.key;
      if (!live || (group !== null && step.group !== group)) break;
      target.dispatch(tr);
      group = step.group;
    }
    if (passed) {
      // Nothing of the person's own text was left to undo: the caret stays where it was.
      target.dispatch({ selection: start, annotations: Transaction.addToHistory.of(false) });
      return true;
    }
    return suggesting || group !== null;
  };
}
