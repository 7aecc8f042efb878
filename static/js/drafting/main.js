/**
 * The drafting page: wires the sync session, the CodeMirror editor, the
 * live preview, presence and the connection and save status together.
 *
 * Page contract (the server renders it; templates/drafting/room.html):
 * ```html
 * <main id="drafting" data-letter-id="ID" data-can-edit="true|false" data-can-suggest="true|false" data-user-id="ID">
 *   <div role="toolbar" id="format-toolbar" hidden>
 *     <button data-format="bold|italic|heading|list|quote|link">…</button>
 *     <button id="suggest-mode" aria-pressed="false" data-label-on="…" data-label-off="…">…</button>
 *   </div>
 *   <div id="suggest-bar" data-label-…="…">…</div>  (suggestions: drafting/suggest-form.js)
 *   <div id="editor-host"><textarea id="draft-text"></textarea></div>  (the textarea is the no-script fallback)
 *   <div id="preview" aria-live="off"></div>
 *   <ul id="presence-list"></ul>
 *   <p id="connection-status" role="status"
 *      data-label-connected="…" data-label-reconnecting="…" data-label-offline="…"
 *      data-label-readonly="…" data-label-locked="…"></p>
 *   <p id="save-status" data-label-saved="…" data-label-saving="…" data-label-retrying="…" data-label-refused="…"></p>
 *   <p id="draft-notice" data-msg-CODE="…"></p>  (why something was not saved or not added)
 *   <p id="draft-announcer" data-template="{names} …"></p>  (remote changes, for screen readers)
 *   <div id="locked-banner" hidden>… <code id="locked-hash"></code></div>
 * </main>
 * <script type="module" src="/static/dist/drafting.js"></script>
 * ```
 * `window.undersignedDraft` is the {@link DraftSession} (its `transport` is
 * the socket.io socket); `window.undersignedEditor` the editor (`view` is the
 * CodeMirror EditorView, `text()` its text).
 *
 * @module drafting/main
 */
import { io } from 'socket.io-client';
import { DraftSession } from './session.js';
import { CursorTracker, renderPresenceList } from './presence.js';
import { createPreview } from './preview.js';
import { createEditor } from './editor.js';
import { FORMAT_COMMANDS } from './markdown-commands.js';
import { createAnnouncer, createNotices, showSaveState } from './status.js';
import { wordRuns } from './authorship.js';
import { suggestionLabels, wireSuggestions } from './suggest-form.js';
import { wireComments } from './comments-margin.js';

/**
 * Lowercase hex SHA-256 of a text encoded as UTF-8 (the letter's
 * content_hash), or null where Web Crypto is unavailable.
 *
 * @param {string} text
 * @returns {Promise<string|null>}
 */
export async function sha256Hex(text) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A letter id as the server expects it: a number when it is all digits.
 * @param {string} raw
 * @returns {string|number}
 */
function parseId(raw) {
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/**
 * Call `fn` at most once every `ms` milliseconds, always running the last call.
 * @param {() => void} fn
 * @param {number} ms
 * @returns {() => void}
 */
function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return () => {
    const now = Date.now();
    const wait = last + ms - now;
    if (wait <= 0) {
      last = now;
      fn();
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    }
  };
}

/**
 * The server's authorship runs for the session's revision, rounded to whole
 * words and mapped onto the local text (which may hold unsent typing), or
 * null. Asks again if the letter moved on while the answer was on its way.
 *
 * @param {Window} win
 * @param {string|number} letterId
 * @param {DraftSession} session
 * @returns {Promise<Array<{from: number, to: number, author: object}>|null>}
 */
async function loadAuthorship(win, letterId, session) {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const revision = session.revision;
    let runs;
    try {
      const response = await win.fetch(`/drafts/${letterId}/authorship.json?revision=${revision}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) return null;
      runs = await response.json();
    } catch {
      return null;
    }
    if (session.revision !== revision) continue;
    const words = wordRuns(runs, session.shadow);
    return words.map((r) => ({ from: session.shadowToLocal(r.from), to: session.shadowToLocal(r.to), author: r.author }));
  }
  return null;
}

/**
 * Set up real-time drafting on the page.
 *
 * @param {HTMLElement} root the `<main id="drafting">` element
 * @param {{io?: typeof io, socket?: object}} [options] a socket (or io
 *   factory) to use instead of `io('/draft', …)`, for tests
 * @returns {DraftSession}
 */
export function initDrafting(root, options = {}) {
  const doc = root.ownerDocument;
  const view = doc.defaultView;
  const textarea = /** @type {HTMLTextAreaElement|null} */ (doc.getElementById('draft-text'));
  const host = doc.getElementById('editor-host') || (textarea && textarea.parentElement);
  const previewEl = doc.getElementById('preview');
  const presenceList = doc.getElementById('presence-list');
  const statusEl = doc.getElementById('connection-status');
  const lockedBanner = doc.getElementById('locked-banner');
  const lockedHash = doc.getElementById('locked-hash');
  const toolbar = doc.getElementById('format-toolbar');

  const letterId = parseId(root.dataset.letterId || '');
  const canEdit = root.dataset.canEdit === 'true';
  const canSuggest = root.dataset.canSuggest === 'true';
  const userId = root.dataset.userId || null;
  // Suggestion mode: what is typed becomes a suggestion. Always on for those who may only suggest.
  let suggesting = canSuggest && !canEdit;

  const socket =
    options.socket || (options.io || io)('/draft', { transports: ['websocket', 'polling'] });

  let editor = null;
  const session = new DraftSession({
    letterId,
    transport: socket,
    canEdit,
    // Before a co-author's change is applied, take in what the browser has typed but the editor
    // has not read yet (it then reaches the session as a local change, in order).
    readLocal: () => {
      if (editor) editor.flushInput();
      return null;
    },
  });
  const preview = previewEl ? createPreview(previewEl) : null;
  const tracker = new CursorTracker({ selfId: userId });
  const notices = createNotices(doc.getElementById('draft-notice'));
  const announcer = createAnnouncer(doc.getElementById('draft-announcer'));
  const saveEl = doc.getElementById('save-status');
  let users = [];

  // ---------------------------------------------------------------- editor
  const suggestionState = { canDecide: false };
  let suggestions = null;
  const suggestBar = doc.getElementById('suggest-bar');
  const self = { id: userId, name: root.dataset.userName || '', color: root.dataset.userColor || undefined };
  if (host) {
    const initial = textarea ? textarea.value : '';
    const attributes = { id: 'draft-text', 'aria-multiline': 'true', role: 'textbox' };
    for (const name of ['aria-label', 'aria-describedby']) {
      const value = textarea && textarea.getAttribute(name);
      if (value) attributes[name] = value;
    }
    const label = textarea && doc.querySelector(`label[for="${textarea.id}"]`);
    if (!attributes['aria-label'] && label) attributes['aria-label'] = label.textContent.trim();
    if (label) label.remove();
    if (textarea) textarea.remove();
    editor = createEditor({
      suggestions: {
        labels: suggestionLabels(suggestBar),
        onDecide: (s, action, button) => suggestions && suggestions.decide(s, action, button),
        canDecide: () => suggestionState.canDecide,
      },
      typing:
        canSuggest && suggestBar
          ? {
              isOn: () => suggesting,
              self,
              labels: suggestionLabels(suggestBar),
              onDrafts: (before, after, typed) => suggestions && suggestions.onDrafts(before, after, typed),
            }
          : undefined,
      parent: host,
      text: initial,
      session,
      attributes,
      styleNonce: root.dataset.styleNonce || '',
      self,
      onNotice: (kind) => notices.show(kind),
      onLocalChange: () => {
        notices.typed();
        root.dataset.idle = 'false';
        if (preview) {
          preview.typing();
          preview.update(session.text);
        }
        sendCursor();
      },
      onSelection: () => sendCursor(),
    });
    editor.view.contentDOM.addEventListener('focus', () => sendCursor());
    if (view && typeof view.fetch === 'function' && doc.getElementById('suggest-bar')) {
      suggestions = wireSuggestions({
        doc,
        win: view,
        letterId,
        csrf: root.dataset.csrf || '',
        session,
        editor,
        state: suggestionState,
        say: (text) => notices.set(text),
        socket,
      });
      // Leaving the text ends the run of typing: its suggestion is saved as it stands.
      editor.view.contentDOM.addEventListener('blur', () => suggestions.endTyping());
      editor.view.contentDOM.addEventListener('keydown', (event) => {
        if ((event.ctrlKey || event.metaKey) && event.altKey && event.key.toLowerCase() === 'm' && suggestions.open()) {
          event.preventDefault();
        }
      });
    }
  }

  // Comments in the margin beside the text (drafting/comments-margin.js).
  if (editor && view && typeof view.fetch === 'function') {
    wireComments({ doc, win: view, letterId, csrf: root.dataset.csrf || '', selfId: userId, session, editor, socket });
  }

  const drawCursors = () => {
    if (editor && session.ready) editor.setCursors(tracker.positions(session));
  };

  // ----------------------------------------------------------- status line
  const labelFor = (status) => {
    if (!statusEl) return status;
    const d = statusEl.dataset;
    switch (status) {
      case 'connected':
        return d.labelConnected || 'Connected';
      case 'connecting':
        return d.labelConnecting || d.labelReconnecting || 'Connecting…';
      case 'reconnecting':
        return d.labelReconnecting || 'Reconnecting…';
      case 'offline':
        return d.labelOffline || 'Offline';
      case 'readonly':
        return d.labelReadonly || 'Read only';
      case 'locked':
        return d.labelLocked || 'Locked';
      default:
        return status;
    }
  };

  const showStatus = ({ status, message }) => {
    root.dataset.connection = status;
    if (statusEl) {
      statusEl.dataset.state = status;
      const label = labelFor(status);
      statusEl.textContent = message && (status === 'readonly' || status === 'offline') ? `${label}: ${message}` : label;
    }
    updateEditable();
  };

  const updateEditable = () => {
    // In suggestion mode typing changes no text, so a reviewer (read-only to the session) types too.
    const editable = session.ready && !session.locked && (suggesting ? Boolean(suggestions) : !session.readOnly);
    if (editor) editor.setEditable(editable);
    if (toolbar) {
      toolbar.hidden = !canEdit;
      for (const button of toolbar.querySelectorAll('button')) button.disabled = !editable;
    }
    root.dataset.idle = String(session.idle);
    root.dataset.suggesting = String(suggesting);
  };

  // ---------------------------------------------------------- suggestion mode
  const modeToggle = doc.getElementById('suggest-mode');
  if (modeToggle && editor && suggestions && canEdit) {
    modeToggle.hidden = false;
    modeToggle.addEventListener('click', () => {
      suggesting = !suggesting;
      modeToggle.setAttribute('aria-pressed', String(suggesting));
      if (!suggesting) suggestions.endTyping();
      notices.set(suggesting ? modeToggle.dataset.labelOn : modeToggle.dataset.labelOff);
      updateEditable();
    });
  }

  // ---------------------------------------------------------------- toolbar
  if (toolbar && editor) {
    // One tab stop for the toolbar; the arrow keys, Home and End move between its buttons.
    const buttons = [...toolbar.querySelectorAll('button')];
    buttons.forEach((button, i) => button.setAttribute('tabindex', i === 0 ? '0' : '-1'));
    toolbar.addEventListener('keydown', (event) => {
      const i = buttons.indexOf(/** @type {HTMLButtonElement} */ (event.target));
      if (i < 0) return;
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = buttons[(next + buttons.length) % buttons.length];
      for (const button of buttons) button.setAttribute('tabindex', button === target ? '0' : '-1');
      target.focus();
    });
    toolbar.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button[data-format]') : null;
      const command = button && FORMAT_COMMANDS[button.dataset.format];
      if (!command) return;
      command(editor.view);
      editor.view.focus();
    });
  }

  // ---------------------------------------------------------- authorship colours
  const authorshipToggle = doc.getElementById('authorship-toggle');
  if (authorshipToggle && editor && view && typeof view.fetch === 'function') {
    authorshipToggle.hidden = false;
    authorshipToggle.addEventListener('click', async () => {
      const on = authorshipToggle.getAttribute('aria-pressed') !== 'true';
      authorshipToggle.setAttribute('aria-pressed', String(on));
      if (!on) {
        editor.showAuthorship(null);
        return;
      }
      const runs = await loadAuthorship(view, letterId, session);
      if (authorshipToggle.getAttribute('aria-pressed') !== 'true') return;
      if (runs) editor.showAuthorship(runs);
      else {
        authorshipToggle.setAttribute('aria-pressed', 'false');
        notices.set(authorshipToggle.dataset.labelFailed || '');
      }
    });
  }

  // ---------------------------------------------------------- session events
  session.on('ready', () => {
    updateEditable();
    if (preview) {
      preview.update(session.text);
      preview.flush();
    }
  });
  session.on('change', (change) => {
    if (preview) preview.update(change.text);
    if (change.ops === null && preview) preview.flush();
    drawCursors();
  });
  session.on('status', showStatus);
  session.on('save', ({ state }) => {
    showSaveState(saveEl, state);
    root.dataset.save = state;
    if (state === 'saved') notices.saved();
  });
  session.on('error', (error) => notices.error(error));
  session.on('wait', () => notices.show('rate_limited'));
  session.on('idle', () => {
    root.dataset.idle = 'true';
  });
  session.on('revision', (info) => {
    tracker.onRevision(info);
    root.dataset.revision = String(info.revision);
    root.dataset.idle = String(session.idle);
    if (!info.own && info.author) announcer.changedBy(info.author);
    sendCursor();
    drawCursors();
  });
  session.on('resync', () => tracker.reset());
  session.on('locked', async ({ content_hash: hash }) => {
    if (lockedBanner) lockedBanner.hidden = false;
    if (lockedHash) {
      if (hash) lockedHash.textContent = hash;
      else if (!lockedHash.textContent.trim()) {
        await session.whenIdle();
        const computed = await sha256Hex(session.shadow);
        if (computed && !lockedHash.textContent.trim()) lockedHash.textContent = computed;
      }
    }
    updateEditable();
  });

  // ---------------------------------------------------------------- cursors
  let lastCursor = null;
  const emitCursor = throttle(() => {
    if (!socket.connected || !session.ready || !editor) return;
    // Only a focused editor has a caret worth showing to others.
    if (!editor.view.hasFocus) return;
    const { anchor, head } = editor.view.state.selection.main;
    const payload = {
      letter_id: letterId,
      revision: session.revision,
      start: session.localToShadow(Math.min(anchor, head)),
      end: session.localToShadow(Math.max(anchor, head)),
    };
    const key = `${payload.revision}:${payload.start}:${payload.end}`;
    if (key === lastCursor) return;
    lastCursor = key;
    socket.emit('cursor', payload);
  }, 100);
  function sendCursor() {
    emitCursor();
  }

  socket.on('presence', (payload) => {
    if (!payload || String(payload.letter_id) !== String(letterId)) return;
    users = Array.isArray(payload.users) ? payload.users : [];
    tracker.setUsers(users);
    if (presenceList) {
      renderPresenceList(presenceList, users, { selfId: userId, youLabel: presenceList.dataset.labelYou });
    }
    drawCursors();
  });
  socket.on('cursor', (payload) => {
    if (!payload || String(payload.letter_id) !== String(letterId)) return;
    if (tracker.receive(payload, session.revision)) drawCursors();
  });

  // ------------------------------------------------------------- connection
  socket.on('connect', () => {
    lastCursor = null;
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') {
      // The server closed the connection; socket.io does not retry by itself.
      setTimeout(() => socket.connect(), 1000);
    }
  });
  socket.on('connect_error', (err) => {
    if (!socket.active) {
      session.setOffline({ code: 'unauthorized', message: (err && err.message) || '' });
    }
  });
  if (socket.io && typeof socket.io.on === 'function') {
    socket.io.on('reconnect_failed', () => session.setOffline());
  }
  if (view) {
    view.addEventListener('offline', () => {
      if (!socket.connected) session.setOffline();
    });
    view.addEventListener('online', () => {
      if (!socket.connected) socket.connect();
    });
    view.addEventListener('beforeunload', (event) => {
      // Whenever something typed is not stored yet (an edit, or a suggestion), whatever the connection.
      const unsavedEdit = canEdit && !session.locked && session.saveState !== 'saved';
      if (unsavedEdit || (suggestions && suggestions.unsaved())) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
  }

  session.start();
  showStatus({ status: session.status, message: '' });
  showSaveState(saveEl, session.saveState);
  if (view) {
    view.undersignedDraft = session;
    view.undersignedEditor = editor;
  }
  return session;
}

const root = typeof document !== 'undefined' ? document.getElementById('drafting') : null;
if (root && !root.dataset.manualInit) initDrafting(root);
