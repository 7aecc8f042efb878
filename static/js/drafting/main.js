/**
 * The drafting page: wires the sync session, the textarea, the live preview,
 * presence and the connection status together.
 *
 * Page contract (the server renders it):
 * ```html
 * <main id="drafting" data-letter-id="ID" data-can-edit="true|false" data-user-id="ID">
 *   <textarea id="draft-text" aria-describedby="connection-status"></textarea>
 *   <div id="preview" aria-live="off"></div>
 *   <ul id="presence-list"></ul>
 *   <p id="connection-status" role="status"
 *      data-label-connected="…" data-label-reconnecting="…" data-label-offline="…"
 *      data-label-readonly="…" data-label-locked="…"></p>
 *   <div id="locked-banner" hidden>… <code id="locked-hash"></code></div>
 * </main>
 * <script type="module" src="/static/dist/drafting.js"></script>
 * ```
 * `window.undersignedDraft` is the {@link DraftSession} (its `transport` is
 * the socket.io socket).
 *
 * @module drafting/main
 */
import { io } from 'socket.io-client';
import { DraftSession } from './session.js';
import { CursorOverlay, CursorTracker, renderPresenceList } from './presence.js';
import { createPreview } from './preview.js';
import { transformIndex } from './operations.js';
import { clampOffset, normalizeText } from './text.js';

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
  const textarea = /** @type {HTMLTextAreaElement} */ (doc.getElementById('draft-text'));
  const previewEl = doc.getElementById('preview');
  const presenceList = doc.getElementById('presence-list');
  const statusEl = doc.getElementById('connection-status');
  const lockedBanner = doc.getElementById('locked-banner');
  const lockedHash = doc.getElementById('locked-hash');

  const letterId = parseId(root.dataset.letterId || '');
  const canEdit = root.dataset.canEdit === 'true';
  const userId = root.dataset.userId || null;

  const socket =
    options.socket || (options.io || io)('/draft', { transports: ['websocket', 'polling'] });

  let composing = false;
  const session = new DraftSession({
    letterId,
    transport: socket,
    canEdit,
    readLocal: () => (textarea && !composing ? textarea.value : null),
  });

  const preview = previewEl ? createPreview(previewEl) : null;
  const tracker = new CursorTracker({ selfId: userId });
  const overlay = textarea ? new CursorOverlay(textarea) : null;
  let users = [];

  const drawCursors = () => {
    if (overlay && session.ready) overlay.update(tracker.positions(session), session.text);
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
    if (!textarea) return;
    const editable = session.ready && !session.readOnly && !session.locked;
    textarea.readOnly = !editable;
    root.dataset.idle = String(session.idle);
  };

  // -------------------------------------------------------------- textarea
  const showText = ({ text, ops }) => {
    if (!textarea) return;
    if (textarea.value !== text) {
      const focused = doc.activeElement === textarea;
      const { selectionStart, selectionEnd, selectionDirection, scrollTop, scrollLeft } = textarea;
      let start = selectionStart;
      let end = selectionEnd;
      if (ops) {
        const collapsed = start === end;
        start = transformIndex(start, ops, true);
        end = collapsed ? start : transformIndex(end, ops, false);
      }
      textarea.value = text;
      start = clampOffset(text, start);
      end = clampOffset(text, Math.max(start, end));
      if (focused) textarea.setSelectionRange(start, end, selectionDirection || 'none');
      textarea.scrollTop = scrollTop;
      textarea.scrollLeft = scrollLeft;
    }
    if (preview) preview.update(text);
    drawCursors();
  };

  session.on('ready', () => {
    updateEditable();
    if (preview) preview.flush();
  });
  session.on('change', (change) => {
    showText(change);
    if (change.ops === null && preview) preview.flush();
  });
  session.on('status', showStatus);
  session.on('idle', () => {
    root.dataset.idle = 'true';
  });
  session.on('revision', (info) => {
    tracker.onRevision(info);
    root.dataset.revision = String(info.revision);
    root.dataset.idle = String(session.idle);
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

  if (textarea) {
    textarea.readOnly = true;
    textarea.addEventListener('input', (event) => {
      if (composing || event.isComposing) return;
      session.setText(textarea.value);
      root.dataset.idle = 'false';
      if (preview) preview.update(session.text);
      drawCursors();
      sendCursor();
    });
    textarea.addEventListener('compositionstart', () => {
      if (composing) return;
      composing = true;
      session.hold();
    });
    textarea.addEventListener('compositionend', () => {
      if (!composing) return;
      composing = false;
      session.setText(normalizeText(textarea.value));
      session.release();
    });
    for (const type of ['select', 'keyup', 'mouseup', 'focus']) textarea.addEventListener(type, () => sendCursor());
    doc.addEventListener('selectionchange', () => {
      if (doc.activeElement === textarea) sendCursor();
    });
  }

  // ---------------------------------------------------------------- cursors
  let lastCursor = null;
  const emitCursor = throttle(() => {
    if (!socket.connected || !session.ready || !textarea) return;
    // Only a focused textarea has a caret worth showing to others.
    if (doc.activeElement !== textarea) return;
    const payload = {
      letter_id: letterId,
      revision: session.revision,
      start: session.localToShadow(textarea.selectionStart),
      end: session.localToShadow(textarea.selectionEnd),
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
      // Only when typed text could not reach the server yet.
      if (canEdit && session.pendingCount > 0 && !session.connected) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
  }

  session.start();
  showStatus({ status: session.status, message: '' });
  if (view) view.undersignedDraft = session;
  return session;
}

const root = typeof document !== 'undefined' ? document.getElementById('drafting') : null;
if (root && !root.dataset.manualInit) initDrafting(root);
