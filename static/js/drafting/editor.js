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
import { FORMAT_KEYS } from './markdown-commands.js';
import { diffOps } from './operations.js';

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
 */

/**
 * Create the editor.
 *
 * @param {EditorOptions} options
 * @returns {{view: EditorView, setEditable: (editable: boolean) => void,
 *   setCursors: (cursors: Array<{user: object, start: number, end: number}>) => void,
 *   text: () => string}}
 */
export function createEditor(options) {
  const { parent, session } = options;
  const notice = options.onNotice || (() => {});
  const editable = new Compartment();
  const attributes = new Compartment();
  const baseAttributes = { spellcheck: 'true', autocorrect: 'on', ...(options.attributes || {}) };
  const attributesFor = (on) => EditorView.contentAttributes.of({ ...baseAttributes, 'aria-readonly': on ? 'false' : 'true' });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        history({ joinToEvent: joinWordByWord, newGroupDelay: 1500 }),
        keymap.of([...FORMAT_KEYS, ...historyKeymap, ...defaultKeymap]),
        new LanguageSupport(markdownLanguage),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        options.styleNonce ? EditorView.cspNonce.of(options.styleNonce) : [],
        inputGuard(notice),
        remoteCursors(),
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

  session.on('change', ({ text, previous, ops }) => {
    if (ops && view.state.doc.length === previous.length) {
      view.dispatch(remoteTransaction(ops));
      if (view.state.doc.length === text.length) return;
    }
    showText(text);
  });

  return {
    view,
    setEditable(on) {
      view.dispatch({
        effects: [editable.reconfigure(EditorState.readOnly.of(!on)), attributes.reconfigure(attributesFor(on))],
      });
    },
    setCursors(cursors) {
      view.dispatch({ effects: setRemoteCursors.of(cursors) });
    },
    text: () => view.state.doc.toString(),
  };
}
