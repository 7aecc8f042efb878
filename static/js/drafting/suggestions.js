/**
 * Suggestions inline in the editor: every open suggestion shown where it
 * stands (the text it would replace struck through, its new text inserted,
 * the suggester's name), with Accept and Reject there for drafters; and a
 * small form to suggest a replacement for the selected text (reviewers
 * always, drafters when they prefer to propose rather than edit).
 *
 * Server side: app/drafting/suggestion_json.py (the review package's rules).
 *
 * @module drafting/suggestions
 */
import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType } from '@codemirror/view';
import { ensureUserColor, userClass } from './cursors.js';
import { makePatch } from './patches.js';
import { followRevisionJson } from './revision-json.js';

/** Replace the suggestions shown: `[{id, from, to, replacement, author, note}]` in document offsets. */
export const setSuggestions = StateEffect.define();

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
    if (s.author) ensureUserColor(doc, s.author);
    const box = doc.createElement('span');
    box.className = `cm-suggestion ${s.author ? userClass(s.author) : ''}`;
    box.dataset.suggestionId = String(s.id);
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

/**
 * The editor extension.
 *
 * @param {{labels: Record<string, string>, onDecide: Function, canDecide: () => boolean}} options
 * @returns {import('@codemirror/state').Extension}
 */
export function inlineSuggestions(options) {
  return StateField.define({
    create: () => Decoration.none,
    update(value, tr) {
      for (const e of tr.effects) {
        if (e.is(setSuggestions)) {
          const ranges = [];
          const widgetOptions = { ...options, canDecide: options.canDecide() };
          for (const s of e.value) {
            if (s.to > s.from) {
              ranges.push(
                Decoration.mark({
                  class: 'cm-suggestion-del',
                  attributes: { title: (options.labels.deletedBy || '{name}').replace('{name}', s.author ? s.author.name : '') },
                }).range(s.from, s.to),
              );
            }
            ranges.push(Decoration.widget({ widget: new SuggestionWidget(s, widgetOptions), side: 1 }).range(s.to));
          }
          return Decoration.set(ranges, true);
        }
      }
      return tr.docChanged ? value.map(tr.changes) : value;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
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
 * Keep the editor's suggestions current: fetch them now, after revisions
 * (debounced) and every `pollMs`.
 *
 * @param {object} deps
 * @param {Window} deps.win
 * @param {string|number} deps.letterId
 * @param {import('./session.js').DraftSession} deps.session
 * @param {(list: object[]) => void} deps.show
 * @param {(canDecide: boolean) => void} [deps.onCanDecide]
 * @param {number} [deps.pollMs]
 * @returns {{refresh: () => void}}
 */
export function followSuggestions({ win, letterId, session, show, onCanDecide, pollMs = 5000 }) {
  // At most one request a second, however fast co-authors type.
  const { refresh } = followRevisionJson({
    win,
    url: `/drafts/${letterId}/suggestions.json`,
    session,
    onAnswer: (data) => onCanDecide && onCanDecide(Boolean(data.can_decide)),
    onData: (data) =>
      show(data.suggestions.map((s) => ({ ...s, from: session.shadowToLocal(s.start), to: session.shadowToLocal(s.end) }))),
  });
  // Our own typing only moves the suggestions (the editor maps them); others' changes may decide them.
  session.on('revision', (info) => {
    if (!info.own) refresh();
  });
  session.on('ready', refresh);
  win.setInterval(refresh, pollMs);
  return { refresh };
}
