/**
 * The drafting editor: CodeMirror 6 bound to a {@link DraftSession}.
 *
 * Every local transaction is handed to the session as an exact operation
 * (`session.applyLocal`); every change the session receives from the server
 * enters as a remote transaction, outside the undo history, so that undo and
 * redo touch only what this person typed, word by word.
 *
 * @module drafting/editor
 */
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdownLanguage } from '@codemirror/lang-markdown';
import { LanguageSupport, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { changesToOps, inputGuard, joinWordByWord, remoteChange, remoteTransaction } from './binding.js';
import { remoteCursors, setRemoteCursors } from './cursors.js';
import { authorshipColours, changeAuthor, setAuthorship } from './authorship.js';
import { inlineSuggestions, removeSuggestion, setSuggestions } from './suggestions.js';
import { suggestionTyping } from './suggest-typing.js';
import { FORMAT_KEYS } from './markdown-commands.js';
import { diffOps } from './operations.js';

/**
 * Above this many characters the Markdown highlighting is switched off (below
 * LANGUAGE_ON it comes back): CodeMirror's Markdown parser re-parses around
 * every change, and with co-authors' edits arriving all over a very long
 * letter it would take the main thread from typing.
 */
export const LANGUAGE_OFF = 60_000;
export const LANGUAGE_ON = 50_000;

const markdownSupport = () => [
  new LanguageSupport(markdownLanguage),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
];

/**
 * @typedef {object} EditorOptions
 * @property {HTMLElement} parent where the editor goes
 * @property {string} text the text to show before the session is ready
 * @property {import('./session.js').DraftSession} session
 * @property {Record<string, string>} [attributes] attributes of the editable element (aria-label, id...)
 * @property {(kind: 'control'|'too_long'|'paste_offline') => void} [onNotice]
 * @property {() => void} [onLocalChange] after each local change (cursor sharing, preview)
 * @property {() => void} [onSelection] after the selection moved
 * @property {string} [placeholder]
 * @property {string} [styleNonce] the page's Content-Security-Policy nonce for style elements
 * @property {{id: any, name: string, color?: string}} [self] who types here (authorship colours)
 * @property {{labels: Record<string, string>, onDecide: Function, canDecide: () => boolean}} [suggestions]
 *   inline suggestions (drafting/suggestions.js)
 * @property {object} [typing] suggestion mode: what is typed becomes a suggestion
 *   (drafting/suggest-typing.js, `suggestionTyping`'s options)
 */

/**
 * Create the editor.
 *
 * @param {EditorOptions} options
 * @returns {{view: EditorView, flushInput: () => void, setEditable: (editable: boolean) => void,
 *   setCursors: (cursors: Array<{user: object, start: number, end: number}>) => void,
 *   text: () => string}}
 */
export function createEditor(options) {
  const { parent, session } = options;
  const notice = options.onNotice || (() => {});
  const editable = new Compartment();
  const language = new Compartment();
  let highlighting = options.text.length <= LANGUAGE_OFF;
  const attributes = new Compartment();
  // tabindex: the text is focusable content of its scroller for axe-core too (which does not count contenteditable).
  const baseAttributes = { spellcheck: 'true', autocorrect: 'on', tabindex: '0', ...(options.attributes || {}) };
  const attributesFor = (on) => EditorView.contentAttributes.of({ ...baseAttributes, 'aria-readonly': on ? 'false' : 'true' });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        history({ joinToEvent: joinWordByWord, newGroupDelay: 1500 }),
        keymap.of([...FORMAT_KEYS, ...historyKeymap, ...defaultKeymap]),
        language.of(highlighting ? markdownSupport() : []),
        EditorView.lineWrapping,
        options.styleNonce ? EditorView.cspNonce.of(options.styleNonce) : [],
        inputGuard(notice),
        remoteCursors(),
        authorshipColours({ self: options.self || { id: 'self', name: '' } }),
        options.suggestions ? inlineSuggestions(options.suggestions) : [],
        options.typing ? suggestionTyping(options.typing) : [],
        editable.of(EditorState.readOnly.of(true)),
        attributes.of(attributesFor(false)),
        options.placeholder ? placeholderExt(options.placeholder) : [],
        EditorView.domEventHandlers({
          paste() {
            if (!session.connected || !session.inRoom) notice('paste_offline');
            return false;
          },
        }),
        EditorView.updateListener.of((update) => {
          let local = false;
          for (const tr of update.transactions) {
            if (!tr.docChanged || tr.annotation(remoteChange)) continue;
            if (!session.applyLocal(changesToOps(tr.changes))) {
              // Not ours to change (read-only, or not joined yet): put the session's text back.
              queueMicrotask(() => showText(session.text));
              return;
            }
            local = true;
          }
          if (update.docChanged) {
            const length = update.state.doc.length;
            const wanted = highlighting ? length <= LANGUAGE_OFF : length < LANGUAGE_ON;
            if (wanted !== highlighting) {
              highlighting = wanted;
              queueMicrotask(() => view.dispatch({ effects: language.reconfigure(wanted ? markdownSupport() : []) }));
            }
          }
          if (local && options.onLocalChange) options.onLocalChange();
          if (update.selectionSet && options.onSelection) options.onSelection();
        }),
      ],
    }),
  });

  /** Show the session's text, changing only what differs (outside the undo history). */
  function showText(text) {
    const current = view.state.doc.toString();
    if (current === text) return;
    view.dispatch(remoteTransaction(diffOps(current, text)));
  }

  // A co-author's revision is announced just before the change it makes here: remember its author.
  let author = null;
  session.on('revision', (info) => {
    author = info.own ? null : info.author;
  });
  session.on('change', ({ text, previous, ops }) => {
    const by = author;
    author = null;
    if (ops && view.state.doc.length === previous.length) {
      const spec = remoteTransaction(ops);
      if (by) spec.annotations.push(changeAuthor.of(by));
      view.dispatch(spec);
      if (view.state.doc.length === text.length) return;
    }
    showText(text);
  });

  return {
    view,
    /**
     * Read a keystroke the browser has put on the page but CodeMirror has not
     * read yet (it reads them on the next animation frame). Called before the
     * session applies a co-author's change: CodeMirror drops an unread DOM
     * change when another transaction is dispatched first, which would lose
     * that keystroke. `observer.forceFlush` is CodeMirror's own (internal) way;
     * the pinned @codemirror/view version has it.
     */
    flushInput() {
      const observer = /** @type {any} */ (view).observer;
      if (observer && typeof observer.forceFlush === 'function') observer.forceFlush();
    },
    setEditable(on) {
      view.dispatch({
        effects: [editable.reconfigure(EditorState.readOnly.of(!on)), attributes.reconfigure(attributesFor(on))],
      });
    },
    /** Show authorship colours (`[{from, to, author}]` in document offsets), or hide them (null). */
    showAuthorship(runs) {
      view.dispatch({ effects: setAuthorship.of(runs) });
    },
    /** Show these open suggestions (`[{id, from, to, replacement, author, note}]`, document offsets). */
    showSuggestions(list) {
      this.flushInput(); // a keystroke not read yet would be lost (see flushInput)
      view.dispatch({ effects: setSuggestions.of(list) });
    },
    /** Stop showing one suggestion (decided here; the server's list follows). */
    hideSuggestion(id) {
      this.flushInput();
      view.dispatch({ effects: removeSuggestion.of(id) });
    },
    setCursors(cursors) {
      view.dispatch({ effects: setRemoteCursors.of(cursors) });
    },
    text: () => view.state.doc.toString(),
  };
}
