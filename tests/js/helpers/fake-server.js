/**
 * An in-memory stand-in for the server's /draft namespace, with a simulated
 * network (virtual clock, random latency, reordering, dropped connections),
 * following the public contract: join / edit / fetch with acknowledgements,
 * `revision` broadcasts to the room (the sender included), `edit_id`
 * de-duplication, whole-or-nothing merges.
 *
 * The merge rule is the one the real server uses: the client's patch applies
 * exactly to its base revision, and is rebased over every later revision's
 * operation with the committed revision's inserts going first.
 */
import { DraftSession } from '../../../static/js/drafting/session.js';
import { apply, isNoop, opsFromPatch, patchFromOps, transform } from '../../../static/js/drafting/operations.js';
import { makePatch } from '../../../static/js/drafting/patches.js';

/** A discrete-event simulator with a virtual clock. */
export class Sim {
  constructor() {
    this.now = 0;
    this.seq = 0;
    this.queue = [];
  }

  schedule(delay, fn) {
    const ev = { time: this.now + Math.max(0, delay || 0), seq: this.seq++, fn, cancelled: false };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.time < ev.time || (q.time === ev.time && q.seq < ev.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
    return ev;
  }

  timers() {
    return {
      setTimeout: (fn, ms) => this.schedule(ms, fn),
      clearTimeout: (ev) => {
        if (ev) ev.cancelled = true;
      },
    };
  }

  step() {
    const ev = this.queue.shift();
    if (!ev) return false;
    this.now = ev.time;
    if (!ev.cancelled) ev.fn();
    return true;
  }

  /** Run until the queue is empty or `until` time; returns the number of steps. */
  run({ until = Infinity, maxSteps = 2_000_000 } = {}) {
    let steps = 0;
    while (this.queue.length && this.queue[0].time <= until) {
      this.step();
      steps += 1;
      if (steps > maxSteps) throw new Error('simulation does not settle');
    }
    if (until !== Infinity) this.now = Math.max(this.now, until);
    return steps;
  }
}

export class FakeServer {
  /**
   * @param {object} [options]
   * @param {1|2} [options.protocol=1] the newest protocol version spoken: 2 sends
   *   `revisions` batches to clients that join with `protocol: 2`
   * @param {number} [options.batchMs=15] protocol 2: how long revisions are gathered
   *   before a `revisions` event goes out
   * @param {number} [options.maxPatchBytes=65536] edits with a longer patch are `too_large`
   */
  constructor({ text = '', rng, conflictRate = 0, letterId = 1, protocol = 1, batchMs = 15, maxPatchBytes = 64 * 1024 } = {}) {
    this.letterId = letterId;
    this.protocol = protocol;
    this.batchMs = batchMs;
    this.maxPatchBytes = maxPatchBytes;
    this.rng = rng;
    this.conflictRate = conflictRate;
    this.texts = [text];
    /** revisions[n] = {revision, patch, edit_id, author, ops} */
    this.revisions = [null];
    this.editIds = new Map();
    this.connections = new Set();
    this.locked = false;
    this.contentHash = null;
    this.stats = { edits: 0, dedups: 0, conflicts: 0, noops: 0, fetches: 0, joins: 0, batches: 0, tooLarge: 0 };
    this.log = [];
  }

  get current() {
    return this.texts.length - 1;
  }

  get text() {
    return this.texts[this.current];
  }

  /** Handle one client request; `answer` sends the acknowledgement back. */
  receive(conn, event, payload, answer) {
    this.log.push([event, payload]);
    const fail = (code, message = code) => answer({ ok: false, error: { code, message } });
    if (!payload || String(payload.letter_id) !== String(this.letterId)) return fail('unknown_letter');
    if (event === 'join') {
      this.stats.joins += 1;
      conn.joined = true;
      conn.protocol = payload.protocol === 2 && this.protocol === 2 ? 2 : 1;
      this.connections.add(conn);
      const ack = { ok: true, revision: this.current, text: this.text, status: this.locked ? 'locked' : 'drafting' };
      if (this.protocol === 2) ack.protocol = conn.protocol;
      return answer(ack);
    }
    if (!conn.joined) return fail('forbidden');
    if (event === 'fetch') {
      this.stats.fetches += 1;
      const since = Number(payload.since);
      const revisions = this.revisions
        .slice(since + 1)
        .map(({ revision, patch, edit_id, author }) => ({ revision, patch, edit_id, author }));
      return answer({ ok: true, revisions });
    }
    if (event === 'edit') {
      if (this.editIds.has(payload.edit_id)) {
        this.stats.dedups += 1;
        return answer({ ok: true, revision: this.editIds.get(payload.edit_id) });
      }
      if (this.locked) return fail('locked');
      if (typeof payload.patch === 'string' && new TextEncoder().encode(payload.patch).length > this.maxPatchBytes) {
        this.stats.tooLarge += 1;
        return fail('too_large');
      }
      const base = Number(payload.base_revision);
      if (!Number.isInteger(base) || base < 0 || base > this.current) return fail('bad_request');
      if (this.rng && this.rng.chance(this.conflictRate)) {
        this.stats.conflicts += 1;
        return fail('conflict');
      }
      let ops;
      try {
        ops = opsFromPatch(this.texts[base], payload.patch).ops;
      } catch {
        return fail('bad_patch');
      }
      for (let r = base + 1; r <= this.current; r += 1) ops = transform(ops, this.revisions[r].ops)[0];
      if (isNoop(ops)) {
        // Nothing changed: no new revision; answer with the current one.
        this.stats.noops += 1;
        this.editIds.set(payload.edit_id, this.current);
        return answer({ ok: true, revision: this.current });
      }
      this.commitOps(ops, payload.edit_id, conn.user);
      return answer({ ok: true, revision: this.current });
    }
    if (event === 'cursor') return undefined;
    return fail('bad_request');
  }

  /** Store a change made by the server itself (a diff of the two texts). */
  commitText(after, editId = null, author = { id: 0, name: 'server' }) {
    return this.store(makePatch(this.text, after), editId, author);
  }

  /**
   * Store a merged edit: the broadcast patch is made from the operation
   * itself, not from a diff of the texts, so it says exactly what was
   * inserted and deleted where.
   */
  commitOps(ops, editId, author) {
    return this.store(patchFromOps(this.text, ops), editId, author);
  }

  /** Store a new revision and broadcast it to the room. */
  store(patch, editId, author) {
    const before = this.text;
    const after = opsFromPatch(before, patch).text;
    // Clients derive the operation from the patch text: rebase over exactly that.
    const { text, ops } = opsFromPatch(before, patch);
    if (text !== after) throw new Error('server patch does not reproduce the text');
    const revision = this.current + 1;
    this.texts.push(after);
    this.revisions.push({ revision, patch, edit_id: editId, author, ops });
    if (editId != null) this.editIds.set(editId, revision);
    this.stats.edits += 1;
    const event = { letter_id: this.letterId, revision, patch, edit_id: editId, author };
    for (const conn of this.connections) {
      if (conn.protocol === 2) conn.queueRevision(event, this.batchMs);
      else conn.push('revision', event);
    }
    return revision;
  }

  lock() {
    this.locked = true;
    this.contentHash = `hash-of-${this.current}`;
    this.broadcast('locked', { letter_id: this.letterId, revision: this.current, content_hash: this.contentHash });
  }

  broadcast(event, payload) {
    for (const conn of this.connections) conn.push(event, payload);
  }
}

/** One client connection over the simulated network. */
export class Connection {
  constructor({ sim, server, rng, client, fifo = true, minLatency = 1, maxLatency = 30 }) {
    this.sim = sim;
    this.server = server;
    this.rng = rng;
    this.client = client;
    this.fifo = fifo;
    this.minLatency = minLatency;
    this.maxLatency = maxLatency;
    this.alive = true;
    this.joined = false;
    this.user = client.user;
    this.lastUp = 0;
    this.lastDown = 0;
  }

  latency(direction) {
    let t = this.sim.now + this.minLatency + this.rng.int(this.maxLatency - this.minLatency + 1);
    if (this.fifo) {
      t = Math.max(t, direction === 'up' ? this.lastUp : this.lastDown);
      if (direction === 'up') this.lastUp = t;
      else this.lastDown = t;
    }
    return t - this.sim.now;
  }

  /** Client to server. */
  send(event, payload, ack) {
    const copy = JSON.parse(JSON.stringify(payload));
    this.sim.schedule(this.latency('up'), () => {
      if (!this.alive) return;
      this.server.receive(this, event, copy, (answer) => {
        if (ack) this.deliver(() => ack(JSON.parse(JSON.stringify(answer))));
      });
    });
  }

  /** Protocol 2: gather revisions for `batchMs`, then send them as one `revisions` event. */
  queueRevision(event, batchMs) {
    if (!this.batch) {
      this.batch = [];
      this.sim.schedule(batchMs, () => {
        const revisions = this.batch;
        this.batch = null;
        if (!this.alive) return;
        this.server.stats.batches += 1;
        this.push('revisions', { letter_id: this.server.letterId, revisions: revisions.map(({ letter_id, ...r }) => r) });
      });
    }
    this.batch.push(event);
  }

  /** Server to client event. */
  push(event, payload) {
    const copy = JSON.parse(JSON.stringify(payload));
    this.deliver(() => this.client.dispatch(event, copy));
  }

  deliver(fn) {
    this.sim.schedule(this.latency('down'), () => {
      if (this.alive) fn();
    });
  }

  drop() {
    this.alive = false;
    this.server.connections.delete(this);
  }
}

/** A browser: a DraftSession on a fake socket that can drop and reconnect. */
export class Client {
  constructor({ name, sim, server, rng, fifo = true, canEdit = true, debounceMs = 150 }) {
    this.name = name;
    this.sim = sim;
    this.server = server;
    this.rng = rng;
    this.fifo = fifo;
    this.user = { id: name, name };
    this.conn = null;
    this.handlers = new Map();
    this.violations = [];
    this.sent = [];
    let counter = 0;
    const client = this;
    this.transport = {
      emit(event, payload, ack) {
        client.sent.push([event, JSON.parse(JSON.stringify(payload))]);
        if (!client.conn) {
          client.violations.push(`emit ${event} while disconnected`);
          return;
        }
        client.conn.send(event, payload, ack);
      },
      on(event, handler) {
        client.handlers.set(event, handler);
      },
      get connected() {
        return Boolean(client.conn && client.connectedFlag);
      },
    };
    this.connectedFlag = false;
    this.session = new DraftSession({
      letterId: server.letterId,
      transport: this.transport,
      canEdit,
      debounceMs,
      timers: sim.timers(),
      generateId: () => `${name}-edit-${(counter += 1)}`,
      logger: { warn: (...args) => this.violations.push(`warn: ${args.map(String).join(' ')}`) },
    });
    this.session.start();
  }

  dispatch(event, payload) {
    const handler = this.handlers.get(event);
    if (handler) handler(payload);
  }

  connect() {
    if (this.conn) return;
    this.conn = new Connection({ sim: this.sim, server: this.server, rng: this.rng, client: this, fifo: this.fifo });
    const conn = this.conn;
    this.sim.schedule(1 + this.rng.int(20), () => {
      if (this.conn !== conn) return;
      this.connectedFlag = true;
      this.dispatch('connect');
    });
  }

  disconnect() {
    if (!this.conn) return;
    this.conn.drop();
    this.conn = null;
    const was = this.connectedFlag;
    this.connectedFlag = false;
    if (was) this.dispatch('disconnect', 'transport close');
  }
}
