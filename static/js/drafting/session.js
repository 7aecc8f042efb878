/**
 * The client side of real-time co-drafting: a state machine that keeps the
 * browser's text in sync with the server's revisions, independent of the DOM
 * and of socket.io.
 *
 * State:
 * - `shadow`: the exact server text at `revision`;
 * - `text`: the local text (what the textarea shows);
 * - `inflight`: at most one edit sent and not yet seen as a revision:
 *   `{edit_id, base_revision, patch, ops}`, where `ops` is the edit rebased
 *   onto the current shadow;
 * - `pending`: the operation typed since (not sent yet), recorded edit by
 *   edit as the user makes them rather than guessed later by a diff.
 * Invariant: text = apply(apply(shadow, inflight.ops), pending).
 *
 * The transport is anything with `emit(event, payload, ack)` and, optionally,
 * `on(event, handler)` and `connected` (a socket.io socket fits). Without
 * `on`, call the `handle*` methods yourself.
 *
 * Events (see {@link DraftSession#on}):
 * - `ready` `{text, revision}`: first text received;
 * - `change` `{text, previous, ops}`: the local text changed because of the
 *   server (ops map offsets of `previous` to `text`; null when replaced whole);
 * - `revision` `{revision, ops, edit_id, author, own}`: a revision was applied
 *   to the shadow (ops turn revision n-1 into n);
 * - `resync` `{revision}`: the shadow was replaced by the server's text;
 * - `status` `{status, message}`: one of connecting, connected, reconnecting,
 *   offline, readonly, locked;
 * - `locked` `{revision, content_hash}`;
 * - `error` `{code, message}`;
 * - `idle`: nothing in flight and nothing pending;
 * - `wait` `{retry_after, message}`: the server asked us to slow down; the
 *   change is sent again after `retry_after` seconds;
 * - `save` `{state}`: whether what was typed is stored: `saved`, `saving`,
 *   `retrying` (not stored yet: the connection is down or the server asked
 *   to wait; it is kept and sent again) or `refused` (the server refused
 *   it, see the last `error`; it stays on screen, unsent, until changed).
 *
 * Protocol: the session joins with `{letter_id, protocol: 2}`. A server that
 * answers `protocol: 2` sends `revisions` events (batches of consecutive
 * revisions); one that leaves it out speaks version 1 and sends one
 * `revision` event per revision. Both are handled.
 *
 * @module drafting/session
 */
import { normalizeText } from './text.js';
import { MAX_PATCH_BYTES, PATCH_BUDGET, splitOps } from './chunks.js';
import { patchesFromDiffs, patchesToText } from './patches.js';
import {
  apply,
  compose,
  diffOps,
  apply as applyOps,
  fromDiffs,
  identity,
  isNoop,
  opsFromPatch,
  replaceOps,
  toDiffs,
  transform,
  transformIndex,
} from './operations.js';

/** Error codes after which the session stops editing for good. */
const FATAL_CODES = new Set(['unauthorized', 'forbidden', 'unknown_letter']);

/**
 * A new random edit id: `crypto.randomUUID()` where available (secure
 * contexts), otherwise a version-4 UUID built from `getRandomValues`, or,
 * failing that, from `Math.random`.
 *
 * @returns {string}
 */
export function generateEditId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // Not a secure context: fall through.
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Map an offset in the result of `ops` back to an offset in its base text.
 * An offset inside inserted text maps to where the insertion happened.
 *
 * @param {number} index
 * @param {import('./operations.js').Op[]} ops
 * @returns {number}
 */
export function mapIndexBack(index, ops) {
  let base = 0;
  let target = 0;
  for (const op of ops) {
    if ('retain' in op) {
      if (index <= target + op.retain) return base + (index - target);
      base += op.retain;
      target += op.retain;
    } else if ('insert' in op) {
      if (index <= target + op.insert.length) return base;
      target += op.insert.length;
    } else {
      base += op.delete;
    }
  }
  return base;
}

/**
 * @typedef {object} Transport
 * @property {(event: string, payload: object, ack?: (answer: any) => void) => void} emit
 * @property {(event: string, handler: (...args: any[]) => void) => void} [on]
 * @property {boolean} [connected]
 */

/**
 * @typedef {object} SessionOptions
 * @property {string|number} letterId
 * @property {Transport} transport
 * @property {boolean} [canEdit=true] false: never send an edit (read-only)
 * @property {number} [debounceMs=150] delay between a change and its edit
 * @property {number} [ackFallbackMs=3000] after an edit's acknowledgement,
 *   how long to wait for its revision before fetching it
 * @property {number} [retryMs=1000] base delay before retrying after errors
 * @property {{setTimeout: Function, clearTimeout: Function}} [timers]
 * @property {() => string} [generateId] edit id generator
 * @property {() => (string|null|undefined)} [readLocal] returns the current
 *   text of the editor, read before the session touches the local text
 * @property {{warn: Function}} [logger]
 */

/** The client sync state machine for one letter. */
export class DraftSession {
  /** @param {SessionOptions} options */
  constructor(options) {
    const o = options || {};
    if (!o.transport || typeof o.transport.emit !== 'function') {
      throw new TypeError('DraftSession needs a transport with emit()');
    }
    /** @type {string|number} */
    this.letterId = o.letterId;
    this.transport = o.transport;
    this.canEdit = o.canEdit !== false;
    this.debounceMs = o.debounceMs ?? 150;
    // How often to check for revisions whose broadcast was lost (0: never).
    this.pollMs = o.pollMs ?? 15000;
    this.ackFallbackMs = o.ackFallbackMs ?? 3000;
    this.retryMs = o.retryMs ?? 1000;
    this.timers = o.timers || {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id),
    };
    this.generateId = o.generateId || generateEditId;
    this.readLocal = o.readLocal || null;
    this.logger = o.logger || globalThis.console;

    /** Server revision the shadow is at (null before the first join). */
    this.revision = null;
    /** Exact server text at `revision`. */
    this.shadow = '';
    /** @type {null|{edit_id: string, base_revision: number, patch: string, ops: import('./operations.js').Op[], ackedRevision: number|null}} */
    this.inflight = null;
    this.ready = false;
    this.connected = false;
    this.inRoom = false;
    this.readOnly = !this.canEdit;
    this.locked = false;
    this.lockedRevision = null;
    this.contentHash = null;
    /** @type {null|{code: string, message: string}} */
    this.error = null;
    /** connecting | connected | reconnecting | offline */
    this.connection = 'connecting';

    this._local = '';
    /** @type {import('./operations.js').Op[]} */
    this.pending = [];
    this._listeners = new Map();
    /** @type {Map<number, object>} revisions received but not yet applied */
    this._buffer = new Map();
    this._fetching = false;
    this._refetch = false;
    this._gapFetches = 0;
    this._resyncing = false;
    this._holds = 0;
    this._epoch = 0;
    this._flushTimer = null;
    this._retryTimer = null;
    this._blockedText = null;
    this._failures = 0;
    this._joinCheck = null;
    this._idleWaiters = [];
    this._lastStatus = null;
    this._lastSave = 'saved';
    this._started = false;
    /** The protocol version the server speaks to us (1 until a join answers 2). */
    this.protocol = 1;
    /** Patch text (bytes) above which a change is sent in several edits. */
    this.maxPatchBytes = o.maxPatchBytes ?? MAX_PATCH_BYTES;
    this.patchBudget = o.patchBudget ?? PATCH_BUDGET;
  }

  /**
   * Whether what was typed is stored: `saved`, `saving`, `retrying` or
   * `refused` (see the `save` event).
   */
  get saveState() {
    if (this.inflight === null && isNoop(this.pending)) return 'saved';
    if (this._blockedText !== null && this._local === this._blockedText && !this.inflight) return 'refused';
    if (!this.connected || !this.inRoom || this._retryTimer !== null || this._failures > 0) return 'retrying';
    return 'saving';
  }

  _notifySave() {
    const state = this.saveState;
    if (state === this._lastSave) return;
    this._lastSave = state;
    this._fire('save', { state });
  }

  /** The local text (what the editor shows). */
  get text() {
    return this._local;
  }

  /** Number of local changes not yet committed: the in-flight edit, plus one if there are unsent changes. */
  get pendingCount() {
    return (this.inflight ? 1 : 0) + (isNoop(this.pending) ? 0 : 1);
  }

  /** Whether nothing is in flight or pending, and no revision waits to be applied. */
  get idle() {
    return (
      this.ready &&
      !this.inflight &&
      isNoop(this.pending) &&
      this._local === this.shadow &&
      !this._fetching &&
      !this._resyncing &&
      this._buffer.size === 0
    );
  }

  /** The current status: locked, readonly, connected, connecting, reconnecting or offline. */
  get status() {
    if (this.locked) return 'locked';
    if (this.connection !== 'connected') return this.connection;
    if (this.readOnly || !this.ready) return this.readOnly ? 'readonly' : 'connecting';
    return 'connected';
  }

  /**
   * Listen to a session event.
   * @param {string} event
   * @param {(data: any) => void} handler
   * @returns {() => void} call to stop listening
   */
  on(event, handler) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(handler);
    return () => this._listeners.get(event)?.delete(handler);
  }

  /**
   * @param {string} event
   * @param {any} [data]
   */
  _fire(event, data) {
    for (const handler of [...(this._listeners.get(event) || [])]) {
      try {
        handler(data);
      } catch (err) {
        this.logger?.warn?.(`undersigned: ${event} handler failed`, err);
      }
    }
    if (event !== 'save') this._notifySave();
  }

  /**
   * Subscribe to the transport's events and join if it is connected already.
   * @returns {this}
   */
  start() {
    if (this._started) return this;
    this._started = true;
    const t = this.transport;
    if (typeof t.on === 'function') {
      t.on('connect', () => this.handleConnect());
      t.on('disconnect', (reason) => this.handleDisconnect(reason));
      t.on('revision', (payload) => this.handleRevision(payload));
      t.on('revisions', (payload) => this.handleRevisions(payload));
      t.on('locked', (payload) => this.handleLocked(payload));
    }
    if (t.connected) this.handleConnect();
    else this._updateStatus();
    // A revision whose broadcast was lost (a server process died, or the message queue was down
    // just then) is otherwise only noticed when the next one arrives: check now and then.
    if (this.pollMs > 0 && typeof setInterval === 'function') {
      this._poll = setInterval(() => {
        if (this.inRoom && !this._fetching) this._fetch();
      }, this.pollMs);
      if (this._poll && typeof this._poll.unref === 'function') this._poll.unref();
    }
    return this;
  }

  /** A promise resolved the next time the session is idle. */
  whenIdle() {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------- editor

  /**
   * The user changed the text.
   * @param {string} text the editor's whole new text
   */
  setText(text) {
    if (!this.ready) return;
    const t = normalizeText(text);
    if (t === this._local) return;
    if (this.readOnly) {
      // Undo what cannot be sent.
      const previous = t;
      this._fire('change', { text: this._local, previous, ops: null });
      return;
    }
    this._record(t);
    this._scheduleFlush();
  }

  /**
   * Record a local change from the current text to `t` as one replaced range.
   * @param {string} t
   */
  _record(t) {
    this.pending = compose(this.pending, replaceOps(this._local, t));
    this._local = t;
    this._notifySave();
  }

  /**
   * The user changed the text by exactly this operation on the local text
   * (what an editor that reports its changes, such as CodeMirror, knows).
   * Cheaper and more precise than {@link DraftSession#setText}.
   *
   * @param {import('./operations.js').Op[]} ops an operation on {@link DraftSession#text}
   * @returns {boolean} false when the change cannot be kept (not ready, read-only)
   */
  applyLocal(ops) {
    if (!this.ready || this.readOnly) return false;
    if (isNoop(ops)) return true;
    this._local = applyOps(this._local, ops);
    this.pending = compose(this.pending, ops);
    this._notifySave();
    this._scheduleFlush();
    return true;
  }

  /**
   * Stop applying revisions to the local text (during an IME composition,
   * say); they are kept and applied on {@link DraftSession#release}.
   */
  hold() {
    this._holds += 1;
  }

  /** Undo one {@link DraftSession#hold}. */
  release() {
    if (this._holds > 0) this._holds -= 1;
    if (this._holds === 0) {
      this._drain();
      this._scheduleFlush();
    }
  }

  /**
   * Map an offset in the local text to the shadow (revision) text.
   * @param {number} index
   * @returns {number}
   */
  localToShadow(index) {
    return mapIndexBack(Math.max(0, Math.min(index, this._local.length)), this._localOps());
  }

  /** The operation from the shadow to the local text. */
  _localOps() {
    return this.inflight ? compose(this.inflight.ops, this.pending) : this.pending;
  }

  /**
   * Map an offset in the shadow (revision) text to the local text.
   * @param {number} index
   * @returns {number}
   */
  shadowToLocal(index) {
    const i = Math.max(0, Math.min(index, this.shadow.length));
    return transformIndex(i, this._localOps(), false);
  }

  // ------------------------------------------------------------- transport

  /** The transport (re)connected: join the letter's room. */
  handleConnect() {
    this._epoch += 1;
    const epoch = this._epoch;
    this.connected = true;
    this.connection = 'connected';
    this.inRoom = false;
    this._fetching = false;
    this._resyncing = false;
    this._send('join', { letter_id: this.letterId, protocol: 2 }, (ack) => this._onJoin(ack, epoch));
    this._updateStatus();
  }

  /**
   * The transport lost its connection. Nothing local is dropped: the
   * in-flight edit is resent with the same id after the next join.
   * @param {string} [reason]
   */
  handleDisconnect(reason) {
    void reason;
    this._epoch += 1;
    this.connected = false;
    this.inRoom = false;
    this._fetching = false;
    this._resyncing = false;
    if (this.connection !== 'offline') this.connection = 'reconnecting';
    this._updateStatus();
  }

  /**
   * The connection is gone for good (refused, or the browser is offline).
   * @param {{code: string, message: string}} [error]
   */
  setOffline(error) {
    this.connection = 'offline';
    if (error) this.error = error;
    this._updateStatus();
  }

  /**
   * A `revision` event from the server.
   * @param {{letter_id: any, revision: number, patch: string, edit_id: string, author: object}} payload
   */
  handleRevision(payload) {
    // A version-2 server sends `revisions` only; a stray `revision` is not ours to apply twice.
    if (this.protocol === 2) return;
    if (this._bufferRevision(payload)) this._drain();
  }

  /**
   * A `revisions` event (protocol 2): consecutive revisions, oldest first.
   * @param {{letter_id: any, revisions: object[]}} payload
   */
  handleRevisions(payload) {
    if (!payload || !this._isOurs(payload) || !Array.isArray(payload.revisions)) return;
    let any = false;
    for (const r of payload.revisions) {
      if (r && typeof r === 'object' && this._bufferRevision({ letter_id: payload.letter_id, ...r })) any = true;
    }
    if (any) this._drain();
  }

  /**
   * Keep one revision until it can be applied in order.
   * @param {any} payload
   * @returns {boolean} whether it was kept
   */
  _bufferRevision(payload) {
    if (!payload || !this._isOurs(payload)) return false;
    const n = Number(payload.revision);
    if (!Number.isInteger(n)) return false;
    if (this.revision !== null && n <= this.revision) return false;
    this._buffer.set(n, { ...payload, revision: n });
    return true;
  }

  /**
   * A `locked` event from the server.
   * @param {{letter_id: any, revision: number, content_hash: string}} payload
   */
  handleLocked(payload) {
    if (!payload || !this._isOurs(payload)) return;
    this._becomeLocked(payload);
  }

  // ------------------------------------------------------------- internals

  /** @param {{letter_id?: any}} payload */
  _isOurs(payload) {
    return payload.letter_id === undefined || String(payload.letter_id) === String(this.letterId);
  }

  /**
   * @param {string} event
   * @param {object} payload
   * @param {(ack: any) => void} [ack]
   */
  _send(event, payload, ack) {
    try {
      if (ack) this.transport.emit(event, payload, ack);
      else this.transport.emit(event, payload);
    } catch (err) {
      this.logger?.warn?.(`undersigned: could not send ${event}`, err);
    }
  }

  /** Pick up what the editor shows, if a reader was given. */
  _syncLocal() {
    if (!this.readLocal || !this.ready || this.readOnly) return;
    const value = this.readLocal();
    if (typeof value === 'string') {
      const t = normalizeText(value);
      if (t !== this._local) this._record(t);
    }
  }

  /**
   * @param {any} ack
   * @param {number} epoch
   */
  _onJoin(ack, epoch) {
    if (epoch !== this._epoch) return;
    if (!ack || !ack.ok) {
      this._handleError(ack && ack.error, 'join');
      return;
    }
    this.inRoom = true;
    this.protocol = ack.protocol === 2 ? 2 : 1;
    const revision = Number(ack.revision);
    const text = typeof ack.text === 'string' ? ack.text : '';
    if (!this.ready) {
      this.ready = true;
      this.revision = revision;
      this.shadow = text;
      this._local = text;
      this.pending = identity(text.length);
      for (const k of [...this._buffer.keys()]) if (k <= revision) this._buffer.delete(k);
      this._fire('ready', { text, revision });
      this._fire('change', { text, previous: '', ops: null });
    } else {
      this._joinCheck = { revision, text };
      if (this.inflight && !this.locked) this._sendInflight();
      if (revision > this.revision) this._fetch();
      else this._checkJoin();
    }
    if (ack.status === 'locked') {
      this._becomeLocked({ revision, content_hash: ack.content_hash ?? null });
    }
    this._updateStatus();
    this._drain();
  }

  /** After reaching the revision a join reported, the shadow must equal its text. */
  _checkJoin() {
    const check = this._joinCheck;
    if (!check || this.revision < check.revision) return;
    this._joinCheck = null;
    if (this.revision === check.revision && this.shadow !== check.text) {
      this.logger?.warn?.('undersigned: text differs from the server after catching up; resynchronising');
      this._hardResync();
    } else if (this.revision < check.revision) {
      this._fetch();
    }
  }

  /** @param {number} [delay] */
  _scheduleFlush(delay = this.debounceMs) {
    if (this._flushTimer !== null) return;
    this._flushTimer = this.timers.setTimeout(() => {
      this._flushTimer = null;
      this._maybeFlush();
    }, delay);
  }

  _canSend() {
    return (
      this.ready &&
      this.inRoom &&
      !this.readOnly &&
      !this.locked &&
      !this.inflight &&
      !this._fetching &&
      !this._resyncing &&
      this._holds === 0 &&
      this._retryTimer === null &&
      this._buffer.size === 0
    );
  }

  /** Send the pending change as an edit if nothing else is in flight. */
  _maybeFlush() {
    this._syncLocal();
    if (!this._canSend() || isNoop(this.pending) || this._local === this._blockedText) {
      this._checkIdle();
      return;
    }
    // A change too large for one edit (a big paste) goes out in parts, one after another.
    let first = this.pending;
    let rest = null;
    let diffs = toDiffs(this.shadow, first);
    let patch = patchesToText(patchesFromDiffs(this.shadow, diffs));
    for (let budget = this.patchBudget; patch.length > this.maxPatchBytes && budget >= 1; budget = Math.floor(budget / 2)) {
      [first, rest] = splitOps(this.shadow, this.pending, budget);
      diffs = toDiffs(this.shadow, first);
      patch = patchesToText(patchesFromDiffs(this.shadow, diffs));
    }
    this.inflight = {
      edit_id: this.generateId(),
      base_revision: this.revision,
      patch,
      ops: fromDiffs(diffs),
      ackedRevision: null,
    };
    this.pending = rest || identity(this._local.length);
    this._sendInflight();
  }

  /** Send (or resend, unchanged) the in-flight edit. */
  _sendInflight() {
    const inf = this.inflight;
    if (!inf || !this.inRoom) return;
    const epoch = this._epoch;
    this._send(
      'edit',
      { letter_id: this.letterId, edit_id: inf.edit_id, base_revision: inf.base_revision, patch: inf.patch },
      (ack) => this._onEditAck(inf, epoch, ack),
    );
  }

  /**
   * @param {object} inf the in-flight edit the answer is about
   * @param {number} epoch
   * @param {any} ack
   */
  _onEditAck(inf, epoch, ack) {
    const code = ack && !ack.ok ? ack.error?.code : null;
    if (code === 'locked') {
      if (this.inflight === inf) this._unsend();
      this._becomeLocked({});
      return;
    }
    if (this.inflight !== inf || epoch !== this._epoch || !ack) return;
    if (ack.ok) {
      this._failures = 0;
      const n = Number(ack.revision);
      inf.ackedRevision = Number.isInteger(n) ? n : null;
      if (inf.ackedRevision !== null && this.revision >= inf.ackedRevision) {
        this._settleInflight();
      } else {
        const wanted = inf.ackedRevision;
        this.timers.setTimeout(() => {
          if (this.inflight === inf && this.inRoom && (wanted === null || this.revision < wanted)) this._fetch();
        }, this.ackFallbackMs);
      }
      return;
    }
    const error = ack.error || { code: 'bad_request', message: '' };
    this._unsend();
    if (error.code === 'bad_request' && typeof error.retry_after === 'number' && error.retry_after >= 0) {
      // Over the server's edit rate limit: nothing was stored and our shadow is right;
      // send the change again once the server allows it.
      this._fire('wait', { retry_after: error.retry_after, message: error.message || '' });
      this._retryAfter(Math.min(30000, Math.ceil(error.retry_after * 1000)));
      return;
    }
    this._failures += 1;
    if (error.code === 'conflict') {
      // Catch up, then the next flush rebuilds the edit with a new id.
      this._fetch(true);
      this._retryFlush();
    } else if (error.code === 'too_large') {
      this._blockedText = this._local;
      this.error = error;
      this._fire('error', error);
      this._checkIdle();
    } else if (FATAL_CODES.has(error.code)) {
      this._handleError(error, 'edit');
    } else {
      // bad_patch, bad_request or unknown: our shadow may be wrong.
      this._fire('error', error);
      if (this._failures > 5) {
        this._handleError({ code: error.code, message: error.message || 'edits keep failing' }, 'edit');
      } else {
        this._hardResync();
      }
    }
  }

  /** The in-flight edit was not applied: its change becomes pending again. */
  _unsend() {
    const inf = this.inflight;
    if (!inf) return;
    this.inflight = null;
    this.pending = compose(inf.ops, this.pending);
    this._notifySave();
  }

  /** Flush again soon, backing off when edits keep failing. */
  _retryFlush() {
    const delay = this._failures > 2 ? Math.min(30000, this.retryMs * 2 ** (this._failures - 2)) : 0;
    if (delay === 0) {
      this._scheduleFlush(0);
      return;
    }
    if (this._retryTimer !== null) return;
    this._retryTimer = this.timers.setTimeout(() => {
      this._retryTimer = null;
      this._scheduleFlush(0);
      this._notifySave();
    }, delay);
    this._notifySave();
  }

  /** Flush again after `delay` ms (the server asked us to wait). */
  _retryAfter(delay) {
    if (this._retryTimer !== null) return;
    this._retryTimer = this.timers.setTimeout(() => {
      this._retryTimer = null;
      this._scheduleFlush(0);
      this._notifySave();
    }, delay);
    this._notifySave();
  }

  /**
   * The server says the in-flight edit made a revision we already have, but
   * no revision carried its id (it changed nothing, say). Whatever of it is
   * not in the shadow is still in the local text and goes out with the next
   * edit.
   */
  _settleInflight() {
    this._unsend();
    this._scheduleFlush(0);
    this._checkIdle();
  }

  /**
   * Ask the server for every revision after ours.
   * @param {boolean} [force] fetch even without a known gap
   */
  _fetch(force = false) {
    void force;
    if (!this.inRoom || this._resyncing) return;
    if (this._fetching) {
      this._refetch = true;
      return;
    }
    this._fetching = true;
    this._refetch = false;
    const epoch = this._epoch;
    this._send('fetch', { letter_id: this.letterId, since: this.revision }, (ack) => {
      if (epoch !== this._epoch) return;
      this._fetching = false;
      if (!ack || !ack.ok) {
        const error = (ack && ack.error) || { code: 'bad_request', message: 'fetch failed' };
        if (error.code === 'locked' || FATAL_CODES.has(error.code)) {
          this._handleError(error, 'fetch');
        } else {
          this.timers.setTimeout(() => this._fetch(), this.retryMs);
        }
        return;
      }
      for (const r of ack.revisions || []) {
        const n = Number(r.revision);
        if (Number.isInteger(n) && n > this.revision) this._buffer.set(n, { ...r, revision: n });
      }
      const refetch = this._refetch;
      this._refetch = false;
      this._drain(true);
      if (refetch && !this._fetching && !this._resyncing) this._fetch();
    });
  }

  /**
   * Apply buffered revisions in order; fetch when there is a gap.
   * @param {boolean} [afterFetch] called with a fetch's answer
   */
  _drain(afterFetch = false) {
    if (!this.ready || this._holds > 0 || this._resyncing) return;
    this._syncLocal();
    while (this._buffer.has(this.revision + 1)) {
      const payload = this._buffer.get(this.revision + 1);
      this._buffer.delete(this.revision + 1);
      try {
        this._applyRevision(payload);
      } catch (err) {
        this.logger?.warn?.(`undersigned: revision ${payload.revision} does not apply; resynchronising`, err);
        this._hardResync();
        return;
      }
    }
    for (const k of [...this._buffer.keys()]) if (k <= this.revision) this._buffer.delete(k);
    if (this._buffer.size > 0) {
      if (afterFetch) this._gapFetches += 1;
      if (this._gapFetches > 2) {
        this._gapFetches = 0;
        this._hardResync();
      } else {
        this._fetch();
      }
      return;
    }
    this._gapFetches = 0;
    this._checkJoin();
    this._afterCatchUp();
  }

  /** Housekeeping once the shadow is as new as we know of. */
  _afterCatchUp() {
    const inf = this.inflight;
    if (inf && inf.ackedRevision !== null && this.revision >= inf.ackedRevision) {
      this._settleInflight();
      return;
    }
    if (this.locked && (this.lockedRevision === null || this.revision >= this.lockedRevision)) {
      this.pending = identity(this.shadow.length);
      if (this._local !== this.shadow) {
        const previous = this._local;
        this._local = this.shadow;
        this._fire('change', { text: this._local, previous, ops: null });
        // What was typed and not stored before the lock is gone from the text: say why.
        this._fire('error', { code: 'locked', message: '' });
      }
    }
    if (this._canSend() && this._local !== this.shadow) this._scheduleFlush();
    this._checkIdle();
  }

  /**
   * Apply one revision to the shadow and rebase the local text over it.
   * @param {{revision: number, patch: string, edit_id?: string, author?: object}} payload
   */
  _applyRevision(payload) {
    const { text: newShadow, ops: remote } = opsFromPatch(this.shadow, payload.patch || '');
    const oldLocal = this._local;
    const inf = this.inflight;
    let localChange;
    const own = Boolean(inf && payload.edit_id != null && payload.edit_id === inf.edit_id);
    if (own) {
      const expected = apply(this.shadow, inf.ops);
      if (expected === newShadow) {
        localChange = identity(oldLocal.length);
      } else {
        // The server merged our edit differently: take its result and keep
        // what was typed since.
        const correction = diffOps(expected, newShadow);
        const [pending2, correction2] = transform(this.pending, correction);
        this.pending = pending2;
        localChange = correction2;
      }
      this.inflight = null;
      this._failures = 0;
    } else if (inf) {
      const [inflight2, remote1] = transform(inf.ops, remote);
      const [pending2, remote2] = transform(this.pending, remote1);
      inf.ops = inflight2;
      this.pending = pending2;
      localChange = remote2;
    } else {
      const [pending2, remote2] = transform(this.pending, remote);
      this.pending = pending2;
      localChange = remote2;
    }
    this.shadow = newShadow;
    this.revision = payload.revision;
    const newLocal = apply(this._local, localChange);
    this._fire('revision', {
      revision: payload.revision,
      ops: remote,
      edit_id: payload.edit_id ?? null,
      author: payload.author ?? null,
      own,
    });
    if (newLocal !== oldLocal) {
      this._local = newLocal;
      this._fire('change', { text: newLocal, previous: oldLocal, ops: localChange });
    }
  }

  /**
   * Something does not add up (a revision that does not apply exactly, a
   * patch the server calls bad): take the server's text as the new shadow and
   * rebase the local text onto it. An in-flight edit is first resent with
   * its id, so we learn whether the server has it.
   */
  _hardResync() {
    if (this._resyncing) return;
    if (!this.inRoom) return; // the next join catches up
    this._resyncing = true;
    this._buffer.clear();
    const epoch = this._epoch;
    const inf = this.inflight;

    const rejoin = (inflightApplied) => {
      this._send('join', { letter_id: this.letterId, protocol: 2 }, (ack) => {
        if (epoch !== this._epoch) return;
        this._resyncing = false;
        if (!ack || !ack.ok) {
          this._handleError(ack && ack.error, 'join');
          return;
        }
        this._syncLocal();
        this.protocol = ack.protocol === 2 ? 2 : 1;
        const serverText = typeof ack.text === 'string' ? ack.text : '';
        let base = this.shadow;
        if (this.inflight === inf && inflightApplied) {
          base = apply(this.shadow, inf.ops);
          this.inflight = null;
        } else {
          this._unsend();
        }
        const oldLocal = this._local;
        const correction = diffOps(base, serverText);
        const [pending2, correction2] = transform(this.pending, correction);
        this.shadow = serverText;
        this.revision = Number(ack.revision);
        this.pending = pending2;
        this._local = apply(serverText, pending2);
        for (const k of [...this._buffer.keys()]) if (k <= this.revision) this._buffer.delete(k);
        this._fire('resync', { revision: this.revision });
        if (this._local !== oldLocal) {
          this._fire('change', { text: this._local, previous: oldLocal, ops: correction2 });
        }
        if (ack.status === 'locked') this._becomeLocked({ revision: this.revision, content_hash: ack.content_hash ?? null });
        this._drain();
        this._retryFlush();
      });
    };

    if (inf) {
      this._send(
        'edit',
        { letter_id: this.letterId, edit_id: inf.edit_id, base_revision: inf.base_revision, patch: inf.patch },
        (ack) => {
          if (epoch !== this._epoch) return;
          rejoin(Boolean(ack && ack.ok));
        },
      );
    } else {
      rejoin(false);
    }
  }

  /** @param {{revision?: number, content_hash?: string|null}} info */
  _becomeLocked(info) {
    const first = !this.locked;
    this.locked = true;
    this.readOnly = true;
    this._unsend();
    if (this._flushTimer !== null) {
      this.timers.clearTimeout(this._flushTimer);
      this._flushTimer = null;
    }
    const n = Number(info.revision);
    if (Number.isInteger(n)) this.lockedRevision = n;
    if (info.content_hash) this.contentHash = info.content_hash;
    if (first || info.content_hash) {
      this._fire('locked', { revision: this.lockedRevision, content_hash: this.contentHash });
    }
    this._updateStatus();
    if (this.ready && this.lockedRevision !== null && this.revision < this.lockedRevision) this._fetch();
    else this._afterCatchUp();
  }

  /**
   * @param {{code?: string, message?: string}|undefined} error
   * @param {string} context
   */
  _handleError(error, context) {
    const e = { code: (error && error.code) || 'bad_request', message: (error && error.message) || '' };
    if (e.code === 'locked') {
      this._becomeLocked({});
      return;
    }
    this.error = e;
    if (FATAL_CODES.has(e.code) || context === 'join' || context === 'edit') {
      this.readOnly = true;
      this._unsend();
    }
    this._fire('error', e);
    this._updateStatus();
    this._checkIdle();
  }

  _updateStatus() {
    const status = this.status;
    const message = this.error ? this.error.message : '';
    const key = `${status}\u0000${message}`;
    if (key === this._lastStatus) return;
    this._lastStatus = key;
    this._fire('status', { status, message });
  }

  _checkIdle() {
    if (!this.idle) return;
    const waiters = this._idleWaiters;
    this._idleWaiters = [];
    for (const resolve of waiters) resolve();
    this._fire('idle');
  }
}
