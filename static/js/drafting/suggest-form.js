/**
 * The drafting page's suggestion controls: the "Suggest a change to the
 * selected text" button (also Ctrl+Alt+M in the editor), its small form, and
 * Accept / Reject on the suggestions shown inline. Talks JSON to
 * app/drafting/suggestion_json.py with the page's CSRF token.
 *
 * @module drafting/suggest-form
 */
import { followSuggestions, suggestionPatch } from './suggestions.js';
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
 * @returns {{refresh: () => void, decide: Function, open: () => boolean}}
 */
export function wireSuggestions({ doc, win, letterId, csrf, session, editor, state, say }) {
  const bar = doc.getElementById('suggest-bar');
  const labels = suggestionLabels(bar);
  const follower = followSuggestions({
    win,
    letterId,
    session,
    show: (list) => editor.showSuggestions(list),
    onCanDecide: (can) => {
      state.canDecide = can;
    },
  });

  const decide = async (s, action, button) => {
    if (button) button.disabled = true;
    const { ok, data } = await postJson(win, `/drafts/${letterId}/suggestions/${s.id}/${action}.json`, csrf);
    if (!ok) say(`${labels.failed || ''} ${(data && data.error && data.error.message) || ''}`.trim());
    follower.refresh();
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
        const { ok, data } = await postJson(win, `/drafts/${letterId}/suggestions.json`, csrf, body);
        if (ok) {
          close();
          follower.refresh();
        } else if (message) {
          message.textContent = `${labels.failed || ''} ${(data && data.error && data.error.message) || ''}`.trim();
        }
      });
    }
  }
  return { refresh: follower.refresh, decide, open };
}
