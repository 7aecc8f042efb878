/**
 * The drafting page's suggestion controls: the "Suggest a change to the
 * selected text" button (also Ctrl+Alt+M in the editor), its small form,
 * Accept / Reject on the suggestions shown inline, and suggestion mode's
 * saving: each run of typing (drafting/suggest-typing.js) saved as one
 * suggestion, created, then updated as the person types. Talks JSON to
 * app/drafting/suggestion_json.py with the page's CSRF token; hears from
 * the socket's `suggestions` event when anyone's suggestion changed.
 *
 * @module drafting/suggest-form
 */
import { followSuggestions, suggestionPatch } from './suggestions.js';
import { DraftSaver, isEmptyDraft } from './suggestion-draft.js';
import { allDrafts, closeDraft, draftsField, dropDraft } from './suggest-typing.js';
import { postJson } from './json-requests.js';

/** The labels of the suggestion bar's data attributes. */
export function suggestionLabels(bar) {
  const d = bar ? bar.dataset : {};
  return {
    by: d.labelBy,
    deletedBy: d.labelDeletedBy,
    accept: d.labelAccept,
    reject: d.labelReject,
    acceptNamed: d.labelAcceptNamed,
    rejectNamed: d.labelRejectNamed,
    failed: d.labelFailed,
    replaces: d.labelReplaces,
    inserts: d.labelInserts,
    removes: d.labelRemoves,
    keys: d.labelKeys,
    keysRead: d.labelKeysRead,
    accepted: d.labelAccepted,
    rejected: d.labelRejected,
  };
}

/**
 * Wire the suggestion bar, once the editor exists.
 *
 * @param {object} deps
 * @param {Document} deps.doc
 * @param {Window} deps.win
 * @param {string|number} deps.letterId
 * @param {string} deps.csrf
 * @param {import('./session.js').DraftSession} deps.session
 * @param {{view: any, showSuggestions: Function}} deps.editor
 * @param {{canDecide: boolean}} deps.state shared with the editor's decision buttons
 * @param {(text: string) => void} deps.say where to tell the outcome of a decision
 * @param {{connected: boolean, on: Function}} [deps.socket] the drafting socket (its `suggestions` event)
 * @returns {{refresh: () => void, decide: Function, open: () => boolean,
 *   onDrafts: (before: object, after: object, typed: boolean) => void, endTyping: () => void,
 *   unsaved: () => boolean}}
 */
export function wireSuggestions({ doc, win, letterId, csrf, session, editor, state, say, socket }) {
  const bar = doc.getElementById('suggest-bar');
  const labels = suggestionLabels(bar);
  const view = editor.view;
  const base = `/drafts/${letterId}/suggestions`;

  // Suggestion mode: drafts saved (id by draft key), and finished drafts waiting for the server's list.
  const ids = new Map();
  const settled = new Set();
  const drafts = () => view.state.field(draftsField, false) || { current: null, closing: [] };
  // From the network's callbacks: first take in a keystroke the editor has not read yet.
  const dispatch = (spec) => {
    editor.flushInput();
    view.dispatch(spec);
  };
  const show = (list) => {
    const drop = allDrafts(drafts()).filter((d) => settled.has(d.key));
    if (drop.length) dispatch({ effects: drop.map((d) => dropDraft.of(d.key)) });
    for (const d of drop) {
      settled.delete(d.key);
      ids.delete(d.key);
    }
    // A suggestion still being typed shows as its draft, not as the server last saved it.
    const typing = new Set(allDrafts(drafts()).map((d) => ids.get(d.key)));
    editor.showSuggestions(list.filter((s) => !typing.has(s.id)));
  };
  const follower = followSuggestions({
    win,
    letterId,
    session,
    show,
    live: () => Boolean(socket && socket.connected),
    onCanDecide: (can) => {
      state.canDecide = can;
    },
  });
  if (socket) {
    socket.on('suggestions', (payload) => {
      if (!payload || String(payload.letter_id) !== String(letterId)) return;
      if (payload.status !== 'open') {
        // Someone decided the suggestion being typed here: this run of typing is over.
        const gone = allDrafts(drafts()).filter((d) => ids.get(d.key) === payload.suggestion_id);
        for (const d of gone) {
          saver.forget(d.key);
          ids.delete(d.key);
        }
        if (gone.length) dispatch({ effects: gone.map((d) => dropDraft.of(d.key)) });
      }
      follower.refresh(0);
    });
    socket.on('connect', () => follower.refresh(0));
  }

  const fail = (error) => say(`${labels.failed || ''} ${(error && error.message) || ''}`.trim());
  const saver = new DraftSaver({
    send: async (kind, id, payload) => {
      const { ok, data } =
        kind === 'create'
          ? await postJson(win, `${base}.json`, csrf, payload)
          : kind === 'update'
            ? await postJson(win, `${base}/${id}.json`, csrf, payload, 'PUT')
            : await postJson(win, `${base}/${id}/withdraw.json`, csrf);
      return ok ? { ok, id: data && data.id } : { ok, error: (data && data.error) || {} };
    },
    snapshot: (key) => {
      const draft = allDrafts(drafts()).find((d) => d.key === key);
      if (!draft) return undefined;
      if (isEmptyDraft(draft) || view.state.doc.sliceString(draft.from, draft.to) === draft.text) return null;
      return suggestionPatch(session, draft.from, draft.to, draft.text);
    },
    onSaved: (key, id) => {
      if (id === null) ids.delete(key);
      else ids.set(key, id);
    },
    onFailed: (_key, error) => fail(error),
    onSettled: (key) => {
      settled.add(key);
      follower.refresh(0);
    },
  });
  /** Suggestion mode's drafts changed (drafting/suggest-typing.js): save what changed. */
  const onDrafts = (before, after, typed) => {
    if (typed && after.current) saver.changed(after.current.key);
    const closing = new Set(before.closing.map((d) => d.key));
    for (const d of after.closing) if (!closing.has(d.key)) saver.finish(d.key);
  };
  /** End the run of typing now (suggestion mode turned off, the editor left). */
  const endTyping = () => {
    if (drafts().current) dispatch({ effects: closeDraft.of(null) });
  };

  const done = { accept: labels.accepted, reject: labels.rejected };
  /** Accept or reject `s`, from its button or (by keyboard) its own box (`element`). */
  const decide = async (s, action, element) => {
    if (element && element.tagName === 'BUTTON') element.disabled = true;
    const hadFocus = view.dom.contains(doc.activeElement);
    let at = element ? view.posAtDOM(element) : s.from;
    const { ok, data } = await postJson(win, `${base}/${s.id}/${action}.json`, csrf);
    const name = s.author ? s.author.name : '';
    if (!ok) fail(data && data.error);
    else {
      editor.hideSuggestion(s.id);
      if (done[action]) say(done[action].replace('{name}', name));
    }
    if (hadFocus && ok) {
      // The suggestion's stop is gone: the keyboard goes back to the text, where it stood.
      at = Math.min(at, view.state.doc.length);
      view.focus();
      view.dispatch({ selection: { anchor: at } });
    }
    follower.refresh(0);
  };

  let selection = null;
  const form = doc.getElementById('suggest-form');
  const openButton = doc.getElementById('suggest-open');
  const message = doc.getElementById('suggest-message');
  const replacement = /** @type {HTMLTextAreaElement|null} */ (doc.getElementById('suggest-replacement'));
  const note = /** @type {HTMLTextAreaElement|null} */ (doc.getElementById('suggest-note'));
  const close = () => {
    if (!form) return;
    form.hidden = true;
    if (openButton) openButton.setAttribute('aria-expanded', 'false');
    selection = null;
    editor.view.focus();
  };
  const open = () => {
    if (!form || !bar || bar.hidden) return false;
    const { from, to } = editor.view.state.selection.main;
    selection = { from, to };
    const quoted = editor.view.state.doc.sliceString(from, to);
    const quote = doc.getElementById('suggest-quote');
    if (quote) quote.textContent = quoted;
    if (replacement) replacement.value = quoted;
    if (note) note.value = '';
    if (message) message.textContent = '';
    form.hidden = false;
    if (openButton) openButton.setAttribute('aria-expanded', 'true');
    if (replacement) replacement.focus();
    return true;
  };

  if (bar) {
    bar.hidden = false;
    if (openButton) openButton.addEventListener('click', open);
    const cancel = doc.getElementById('suggest-cancel');
    if (cancel) cancel.addEventListener('click', close);
    if (form) {
      form.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') close();
      });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (!selection || !replacement) return;
        const body = {
          ...suggestionPatch(session, selection.from, selection.to, replacement.value),
          note: note ? note.value : '',
        };
        const { ok, data } = await postJson(win, `${base}.json`, csrf, body);
        if (ok) {
          close();
          follower.refresh(0);
        } else if (message) {
          message.textContent = `${labels.failed || ''} ${(data && data.error && data.error.message) || ''}`.trim();
        }
      });
    }
  }
  /** Whether a suggestion typed here is not saved yet (leaving the page would lose it). */
  const unsaved = () => saver.busy;
  return { refresh: follower.refresh, decide, open, onDrafts, endTyping, unsaved };
}
