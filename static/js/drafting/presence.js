/**
 * Presence: who else is drafting, and where their carets and selections are.
 *
 * Events (namespace /draft, all without acknowledgement):
 * - client → server `cursor` `{letter_id, revision, start, end}`: UTF-16
 *   offsets into the text of `revision` (the sender maps its caret back
 *   through its own unsent changes), sent (throttled) while the editor has
 *   focus; a relayed cursor whose `start`/`end` are null is removed;
 * - server → room `presence` `{letter_id, users: [{id, name, color}]}`: who is
 *   connected to the letter (sent whenever someone joins or leaves);
 * - server → room, sender excluded, `cursor`
 *   `{letter_id, user: {id, name, color}, revision, start, end}`.
 *
 * {@link CursorTracker} keeps remote cursors in revision coordinates and moves
 * them through later revisions and through our own unsent changes (the
 * editor draws them: drafting/cursors.js); {@link renderPresenceList} fills
 * the list of who is here.
 *
 * @module drafting/presence
 */
import { transformIndex } from './operations.js';

/**
 * @typedef {{id: string|number, name: string, color?: string}} PresenceUser
 * @typedef {{user: PresenceUser, revision: number, start: number, end: number}} RemoteCursor
 */

const PALETTE = ['#1b6ac9', '#b4361f', '#1d7f4e', '#8a3fb0', '#a35c00', '#00758f', '#c2185b', '#4b5d16'];
const COLOR_RE = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([0-9\s.,%+-]+\))$/i;

/**
 * A safe CSS colour for a user: theirs if it looks like a colour, otherwise
 * one picked from a palette by their id.
 *
 * @param {PresenceUser} user
 * @returns {string}
 */
export function userColor(user) {
  const c = user && typeof user.color === 'string' ? user.color.trim() : '';
  if (COLOR_RE.test(c)) return c;
  const key = String(user && user.id);
  let h = 0;
  for (let i = 0; i < key.length; i += 1) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/**
 * Black or white, whichever reads better on a hex background colour.
 *
 * @param {string} color
 * @returns {string}
 */
export function contrastText(color) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return '#fff';
  let hex = m[1];
  if (hex.length === 3) hex = hex.replace(/./g, '$&$&');
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#000' : '#fff';
}

/** Remote cursors, kept in revision coordinates. DOM-free. */
export class CursorTracker {
  /**
   * @param {{selfId?: string|number|null, historySize?: number}} [options]
   */
  constructor(options = {}) {
    this.selfId = options.selfId == null ? null : String(options.selfId);
    this.historySize = options.historySize ?? 200;
    /** @type {Map<string, PresenceUser>} */
    this.users = new Map();
    /** @type {Map<string, RemoteCursor>} */
    this.cursors = new Map();
    /** @type {Map<number, import('./operations.js').Op[]>} ops turning revision n-1 into n */
    this.history = new Map();
  }

  /**
   * Replace the list of who is here; cursors of those who left go.
   * @param {PresenceUser[]} users
   */
  setUsers(users) {
    this.users = new Map();
    for (const u of Array.isArray(users) ? users : []) {
      if (u && u.id != null) this.users.set(String(u.id), u);
    }
    for (const id of [...this.cursors.keys()]) if (!this.users.has(id)) this.cursors.delete(id);
  }

  /**
   * A `cursor` event. Returns whether it changed anything.
   * @param {{user: PresenceUser, revision: number, start: number|null, end: number|null}} payload
   * @param {number} [currentRevision] our shadow's revision, to catch up old cursors at once
   * @returns {boolean}
   */
  receive(payload, currentRevision) {
    if (!payload || !payload.user || payload.user.id == null) return false;
    const id = String(payload.user.id);
    if (this.selfId !== null && id === this.selfId) return false;
    if (payload.start == null || payload.end == null) {
      return this.cursors.delete(id);
    }
    let start = Math.max(0, Math.trunc(Number(payload.start)) || 0);
    let end = Math.max(0, Math.trunc(Number(payload.end)) || 0);
    if (end < start) [start, end] = [end, start];
    let revision = Math.trunc(Number(payload.revision)) || 0;
    if (currentRevision != null) {
      const collapsed = start === end;
      while (revision < currentRevision && this.history.has(revision + 1)) {
        const ops = this.history.get(revision + 1);
        start = transformIndex(start, ops, true);
        end = collapsed ? start : transformIndex(end, ops, false);
        revision += 1;
      }
    }
    if (!this.users.has(id)) this.users.set(id, payload.user);
    this.cursors.set(id, { user: { ...this.users.get(id), ...payload.user }, revision, start, end });
    return true;
  }

  /**
   * A revision was applied: move the cursors that were at the revision before.
   * @param {{revision: number, ops: import('./operations.js').Op[]}} info
   */
  onRevision(info) {
    this.history.set(info.revision, info.ops);
    for (const key of this.history.keys()) {
      if (key <= info.revision - this.historySize) this.history.delete(key);
    }
    for (const c of this.cursors.values()) {
      if (c.revision === info.revision - 1) {
        const collapsed = c.start === c.end;
        c.start = transformIndex(c.start, info.ops, true);
        c.end = collapsed ? c.start : transformIndex(c.end, info.ops, false);
        c.revision = info.revision;
      }
    }
  }

  /** The shadow was replaced wholesale: old revisions no longer map. */
  reset() {
    this.history.clear();
  }

  /**
   * Cursors in local-text coordinates.
   * @param {{revision: number, text: string, shadowToLocal: (i: number) => number}} session
   * @returns {Array<{user: PresenceUser, start: number, end: number}>}
   */
  positions(session) {
    const out = [];
    const length = session.text.length;
    for (const c of this.cursors.values()) {
      let { start, end } = c;
      if (c.revision === session.revision) {
        start = session.shadowToLocal(start);
        end = c.start === c.end ? start : session.shadowToLocal(end);
      }
      start = Math.min(start, length);
      end = Math.min(Math.max(end, start), length);
      out.push({ user: c.user, start, end });
    }
    return out;
  }
}

/**
 * Fill the "who is here" list: one item per user with a colour swatch and
 * their name (text only, never HTML).
 *
 * @param {HTMLElement} list the `<ul id="presence-list">`
 * @param {PresenceUser[]} users
 * @param {{selfId?: string|number|null, youLabel?: string}} [options]
 */
export function renderPresenceList(list, users, options = {}) {
  const doc = list.ownerDocument;
  const selfId = options.selfId == null ? null : String(options.selfId);
  const items = [];
  for (const user of users) {
    const li = doc.createElement('li');
    li.className = 'presence-user';
    li.dataset.userId = String(user.id);
    const swatch = doc.createElement('span');
    swatch.className = 'presence-swatch';
    swatch.setAttribute('aria-hidden', 'true');
    swatch.style.setProperty('--presence-color', userColor(user));
    const name = doc.createElement('span');
    name.className = 'presence-name';
    name.textContent = String(user.name ?? '');
    li.append(swatch, name);
    if (selfId !== null && String(user.id) === selfId) {
      li.classList.add('presence-self');
      if (options.youLabel) {
        const you = doc.createElement('span');
        you.className = 'presence-you';
        you.textContent = ` ${options.youLabel}`;
        li.append(you);
      }
    }
    items.push(li);
  }
  list.replaceChildren(...items);
}
