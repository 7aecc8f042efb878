/**
 * Suggestions inline in the editor: every open suggestion shown where it
 * stands (the text it would replace struck through, its new text inserted,
 * the suggester's name), with Accept and Reject there for drafters; and a
 * small form to suggest a replacement for the selected text (reviewers
 * always, drafters when they prefer to propose rather than edit).
 *
 * Each suggestion is one keyboard stop: F8 (Shift+F8) in the editor moves
 * to the next (previous) one; there, Enter accepts it, Delete rejects it
 * (drafters), and Escape goes back to the text.
 *
 * Server side: app/drafting/suggestion_json.py (the review package's rules).
 *
 * @module drafting/suggestions
 */
import { Facet, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap } from '@codemirror/view';
import { ensureUserColor, userClass } from './cursors.js';
import { makePatch } from './patches.js';
import { followRevisionJson } from './revision-json.js';

/** Replace the suggestions shown: `[{id, from, to, replacement, author, note}]` in document offsets. */
export const setSuggestions = StateEffect.define();
/** Stop showing one suggestion (by id): it was just decided here. */
export const removeSuggestion = StateEffect.define();

class SuggestionWidget extends WidgetType {
  constructor(s, options) {
    super();
    this.s = s;
    this.options = options;
  }

  eq(other) {
    return other.s.id === this.s.id && other.s.replacement === this.s.replacement && other.options.canDecide === this.options.canDecide;
  }

  toDOM(view) {
    const doc = view.dom.ownerDocument;
    const labels = this.options.labels;
    const { s } = this;
    const name = s.author ? s.author.name : '';
    if (s.author) ensureUserColor(doc, s.author);
    const box = doc.createElement('span');
    box.className = `cm-suggestion ${s.author ? userClass(s.author) : ''}`;
    box.dataset.suggestionId = String(s.id);
    // A keyboard stop (F8 reaches it): its name says what it changes and what the keys do.
    box.setAttribute('role', 'group');
    const removed = view.state.doc.sliceString(s.from, s.to);
    const what = s.replacement && removed ? labels.replaces : s.replacement ? labels.inserts : labels.removes;
    const summary = (what || '{name}')
      .replace('{name}', name)
      .replace('{old}', clip(removed))
      .replace('{new}', clip(s.replacement || ''));
    box.setAttribute('aria-label', `${summary} ${(this.options.canDecide ? labels.keys : labels.keysRead) || ''}`.trim());
    // Focusable only while the keyboard is on it (F8). A click on it (not on its buttons) puts the
    // caret there, as a click on the text would (the browser would leave the editor unfocused).
    box.addEventListener('blur', () => box.removeAttribute('tabindex'));
    box.addEventListener('mousedown', (event) => {
      if (event.button !== 0 || (event.target instanceof Element && event.target.closest('button'))) return;
      event.preventDefault();
      view.focus();
      view.dispatch({ selection: { anchor: Math.min(view.posAtDOM(box), view.state.doc.length) }, userEvent: 'select.pointer' });
    });
    box.addEventListener('keydown', (event) => {
      if (event.target !== box) return; // a button's own Enter is its click
      const action = { Enter: 'accept', Delete: 'reject', Backspace: 'reject' }[event.key];
      const at = () => Math.min(view.posAtDOM(box), view.state.doc.length);
      if (action && this.options.canDecide) {
        event.preventDefault();
        this.options.onDecide(s, action, box);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        view.focus();
        view.dispatch({ selection: { anchor: at() } });
      } else if (event.key === 'F8') {
        event.preventDefault();
        focusSuggestion(view, event.shiftKey ? -1 : 1, at() + (event.shiftKey ? 0 : 1), s.id);
      }
    });
    if (s.replacement) {
      const ins = doc.createElement('ins');
      ins.textContent = s.replacement;
      box.append(ins);
    }
    const by = doc.createElement('span');
    by.className = 'cm-suggestion-by';
    by.textContent = ` ${(labels.by || '— {name}').replace('{name}', s.author ? s.author.name : '')}`;
    if (s.note) by.title = s.note;
    box.append(by);
    if (this.options.canDecide) {
      for (const action of ['accept', 'reject']) {
        const button = doc.createElement('button');
        button.type = 'button';
        button.className = `cm-suggestion-${action}`;
        button.textContent = labels[action] || action;
        button.setAttribute('aria-label', (labels[`${action}Named`] || '{name}').replace('{name}', s.author ? s.author.name : ''));
        button.addEventListener('click', () => this.options.onDecide(s, action, button));
        box.append(button);
      }
    }
    return box;
  }

  ignoreEvent() {
    return true;
  }
}

/** At most this many characters of a suggestion's words in its spoken name. */
const CLIP = 80;

function clip(text) {
  return text.length > CLIP ? `${text.slice(0, CLIP)}…` : text;
}

/**
 * Move the keyboard to the next (`direction` 1) or previous (-1)
 * suggestion shown, counting from document position `from`, wrapping at
 * the ends; false when there is none.
 *
 * @param {EditorView} view
 * @param {1|-1} direction
 * @param {number} from
 * @param {number|string|null} [skip] the id of the suggestion focused now
 * @returns {boolean}
 */
export function focusSuggestion(view, direction, from, skip = null) {
  const shown = view.state.field(suggestionsField, false);
  if (!shown || shown.size === 0) return false;
  const places = [];
  shown.between(0, view.state.doc.length, (_from, to, deco) => {
    const widget = deco.spec.widget;
    if (widget instanceof SuggestionWidget) places.push({ at: to, id: widget.s.id });
  });
  if (places.length === 0) return false;
  const ahead = direction > 0 ? places.filter((p) => p.at >= from && p.id !== skip) : places.filter((p) => p.at < from && p.id !== skip);
  const target = ahead.length ? (direction > 0 ? ahead[0] : ahead[ahead.length - 1]) : direction > 0 ? places[0] : places[places.length - 1];
  view.dispatch({ effects: EditorView.scrollIntoView(target.at, { y: 'center' }) });
  const focus = () => {
    const box = view.contentDOM.querySelector(`.cm-suggestion[data-suggestion-id="${target.id}"]`);
    if (!box) return;
    box.tabIndex = -1;
    box.focus();
  };
  view.requestMeasure({ read: () => null, write: focus });
  return true;
}

/** F8 and Shift+F8 in the editor: to the next or previous suggestion. */
export const suggestionKeys = keymap.of([
  { key: 'F8', run: (view) => focusSuggestion(view, 1, view.state.selection.main.head), preventDefault: true },
  { key: 'Shift-F8', run: (view) => focusSuggestion(view, -1, view.state.selection.main.head), preventDefault: true },
]);

/** The options `inlineSuggestions` was given. */
const suggestionOptions = Facet.define({ combine: (values) => values[0] });

/** The open suggestions' decorations. */
const suggestionsField = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    for (const e of tr.effects) {
      if (e.is(setSuggestions)) {
        const options = tr.startState.facet(suggestionOptions);
        const ranges = [];
        const widgetOptions = { ...options, canDecide: options.canDecide() };
        for (const s of e.value) {
          if (s.to > s.from) {
            ranges.push(
              Decoration.mark({
                class: 'cm-suggestion-del',
                attributes: { title: (options.labels.deletedBy || '{name}').replace('{name}', s.author ? s.author.name : '') },
                suggestionId: s.id,
              }).range(s.from, s.to),
            );
          }
          ranges.push(
            Decoration.widget({ widget: new SuggestionWidget(s, widgetOptions), side: 1, suggestionId: s.id }).range(s.to),
          );
        }
        return Decoration.set(ranges, true);
      }
      if (e.is(removeSuggestion)) {
        value = value.update({ filter: (_from, _to, deco) => deco.spec.suggestionId !== e.value });
      }
    }
    return tr.docChanged ? value.map(tr.changes) : value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/**
 * The editor extension.
 *
 * @param {{labels: Record<string, string>, onDecide: Function, canDecide: () => boolean}} options
 * @returns {import('@codemirror/state').Extension}
 */
export function inlineSuggestions(options) {
  return [suggestionOptions.of(options), suggestionsField, suggestionKeys];
}

/**
 * The patch (on the session's shadow) replacing the local range [from, to)
 * with `replacement`, and its base revision.
 *
 * @param {import('./session.js').DraftSession} session
 * @param {number} from
 * @param {number} to
 * @param {string} replacement
 * @returns {{base_revision: number, patch: string}}
 */
export function suggestionPatch(session, from, to, replacement) {
  const start = session.localToShadow(Math.min(from, to));
  const end = Math.max(start, session.localToShadow(Math.max(from, to)));
  const shadow = session.shadow;
  return { base_revision: session.revision, patch: makePatch(shadow, shadow.slice(0, start) + replacement + shadow.slice(end)) };
}

/**
 * Keep the editor's suggestions current: fetch them now, when the server
 * says a suggestion changed (`refresh(0)`, from the socket's `suggestions`
 * event), after co-authors' revisions (debounced), and every `pollMs` while
 * the socket is down (`live()` false).
 *
 * @param {object} deps
 * @param {Window} deps.win
 * @param {string|number} deps.letterId
 * @param {import('./session.js').DraftSession} deps.session
 * @param {(list: object[]) => void} deps.show
 * @param {(canDecide: boolean) => void} [deps.onCanDecide]
 * @param {() => boolean} [deps.live] whether the server pushes suggestions' changes now
 * @param {number} [deps.pollMs]
 * @returns {{refresh: (delayMs?: number) => void}}
 */
export function followSuggestions({ win, letterId, session, show, onCanDecide, live = () => false, pollMs = 5000 }) {
  // At most one request a second, however fast co-authors type; sooner when the server says so.
  const { refresh } = followRevisionJson({
    win,
    url: `/drafts/${letterId}/suggestions.json`,
    session,
    againMs: 200,
    onAnswer: (data) => onCanDecide && onCanDecide(Boolean(data.can_decide)),
    onData: (data) =>
      show(data.suggestions.map((s) => ({ ...s, from: session.shadowToLocal(s.start), to: session.shadowToLocal(s.end) }))),
  });
  // Our own typing only moves the suggestions (the editor maps them); others' changes may decide them.
  session.on('revision', (info) => {
    if (!info.own) refresh();
  });
  session.on('ready', () => refresh());
  win.setInterval(() => {
    if (!live()) refresh();
  }, pollMs);
  return { refresh };
}
