// One Node load-generator process for bench/drafting_load.py (`--generator node`): many simulated
// drafters, each a real socket.io-client connection, speaking the drafting protocol (version 2
// unless the config says `"protocol": 1`).
//
// Why a second generator: bench/drafting_worker.py keeps a full shadow document per drafter, so
// at 100 drafters and more it spends more than a core applying every revision N times, and the
// figures measure the generator. Here the drafters of one process share one record of the
// letter (every revision applied once, with the browser client's exact patch code,
// static/js/drafting/patches.js); each drafter keeps only its own state: the newest revision it
// received (in order, gaps detected and fetched), its edit in flight and its pending typing.
// Every revision a drafter receives is compared with the process's record of that revision
// (same patch, same edit id): a server that sent two drafters different revision N would show
// as a mismatch. A drafter sends its typing only from a revision that includes its own
// previous edit, appended at the end of the letter at that revision, like a person typing at
// the end of the text.
//
// It speaks the same JSON-lines protocol with the parent as bench/drafting_worker.py (see
// there): config line -> {"event": "ready"}; {"cmd": "go"} -> types, {"event": "settled"};
// {"cmd": "verify"} -> {"event": "result", ...}; {"cmd": "quit"}. Not a test: a benchmark tool.
import crypto from 'node:crypto';
import readline from 'node:readline';
import { io } from 'socket.io-client';
import { applyPatchExact, makePatch } from '../static/js/drafting/patches.js';

const TICK_MS = 400; // Etherpad's load tester: 4 characters every 400 ms
const CHARS_PER_TICK = 4;
const BUCKET_US = 100; // latency histogram resolution: 0.1 ms
const KEPT_TEXTS = 4000; // texts of the newest revisions kept (a drafter sends from one of them)

const origin = performance.timeOrigin;
/** Wall-clock microseconds (the parent and the other generators use the same clock). */
const nowUs = () => Math.round((origin + performance.now()) * 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) => process.stderr.write(`[node worker ${process.pid}] ${message}\n`);
const emitLine = (payload) => process.stdout.write(`${JSON.stringify(payload)}\n`);

// ------------------------------------------------------------------ the letter, once per process
class LetterRecord {
  constructor(revision, text) {
    this.head = revision;
    this.texts = new Map([[revision, text]]);
    this.revisions = new Map(); // revision -> {patch, edit_id}
    this.failures = [];
  }

  text(revision) {
    return this.texts.get(revision);
  }

  /** Record revision `r` (the one after the head); false when its patch does not apply. */
  advance(r) {
    const base = this.texts.get(this.head);
    let next;
    try {
      next = applyPatchExact(base, r.patch);
    } catch (error) {
      if (this.failures.length < 10) this.failures.push(`r${r.revision}: ${error.message}`.slice(0, 300));
      return false;
    }
    this.head = r.revision;
    this.texts.set(r.revision, next);
    this.revisions.set(r.revision, { patch: r.patch, edit_id: r.edit_id });
    const old = r.revision - KEPT_TEXTS;
    this.texts.delete(old);
    this.revisions.delete(old);
    return true;
  }
}

// ------------------------------------------------------------------ measurements
class Stats {
  constructor() {
    this.window = [0, 0];
    this.deliveryHist = new Map();
    this.ackHist = new Map();
    this.perEdit = new Map(); // edit_id -> [max latency µs, receivers]
    this.sentInWindow = [];
    this.ackedInWindow = 0;
    this.editsSent = 0;
    this.keystrokeBatches = 0;
    this.errors = {};
    this.errorSamples = [];
    this.gaps = 0;
    this.fetches = 0;
    this.mismatches = 0;
    this.receiveFailures = [];
    this.disconnects = 0;
  }

  inWindow(sentUs) {
    return this.window[0] <= sentUs && sentUs < this.window[1];
  }

  delivered(editId, sentUs, receivedUs) {
    const latency = Math.max(0, receivedUs - sentUs);
    const bucket = Math.floor(latency / BUCKET_US);
    this.deliveryHist.set(bucket, (this.deliveryHist.get(bucket) || 0) + 1);
    const entry = this.perEdit.get(editId);
    if (entry === undefined) this.perEdit.set(editId, [latency, 1]);
    else {
      if (latency > entry[0]) entry[0] = latency;
      entry[1] += 1;
    }
  }

  ack(sentUs) {
    const bucket = Math.floor(Math.max(0, nowUs() - sentUs) / BUCKET_US);
    this.ackHist.set(bucket, (this.ackHist.get(bucket) || 0) + 1);
  }

  error(code, detail) {
    this.errors[code] = (this.errors[code] || 0) + 1;
    if (this.errorSamples.length < 10) this.errorSamples.push(String(detail).slice(0, 300));
  }
}

/** [sender drafter index, send time µs] of a benchmark edit id `d<index>.<µs>-<n>`, else null. */
function parseEditId(editId) {
  if (typeof editId !== 'string' || editId[0] !== 'd') return null;
  const dot = editId.indexOf('.');
  const dash = editId.lastIndexOf('-');
  if (dot < 0 || dash < dot) return null;
  const sender = Number(editId.slice(1, dot));
  const sent = Number(editId.slice(dot + 1, dash));
  return Number.isFinite(sender) && Number.isFinite(sent) ? [sender, sent] : null;
}

// ------------------------------------------------------------------ one simulated drafter
class Drafter {
  constructor(index, token, config, stats, shared) {
    this.index = index;
    this.token = token;
    this.config = config;
    this.letterId = config.letter_id;
    this.protocol = Number(config.protocol ?? 2);
    this.stats = stats;
    this.shared = shared; // {record}
    this.socket = null;
    this.revision = null;
    this.ownRevision = 0; // the newest revision of this drafter's own edits, once acknowledged
    this.inFlight = null;
    this.pending = '';
    this.sequence = 0;
    this.fetching = false;
    this.held = [];
    this.words = `drafter ${index} asks the council for safer streets and better buses. `;
    this.wordPos = 0;
    this.lastRevisionAt = performance.now();
    this.closed = false;
  }

  get settled() {
    return this.inFlight === null && this.pending === '';
  }

  start() {
    const url = `http://${this.config.host}:${this.config.port}/draft`;
    this.socket = io(url, {
      transports: ['websocket'],
      auth: { token: this.token },
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    return new Promise((resolve, reject) => {
      this.socket.once('connect_error', (error) => reject(new Error(`connect refused: ${error.message}`)));
      this.socket.once('connect', () => {
        const join = { letter_id: this.letterId };
        if (this.protocol === 2) join.protocol = 2;
        this.socket.timeout(30_000).emit('join', join, (error, answer) => {
          if (error) return reject(new Error('join: no answer'));
          if (!answer || !answer.ok) return reject(new Error(`join refused: ${JSON.stringify(answer)}`));
          if (this.protocol === 2 && answer.protocol !== 2) return reject(new Error('no protocol 2'));
          // Every drafter joins before typing starts, so they join at one revision.
          const record = this.shared.record;
          if (record === null || answer.revision > record.head) {
            this.shared.record = new LetterRecord(answer.revision, answer.text);
          }
          this.revision = answer.revision;
          resolve();
        });
      });
      this.socket.on('revisions', (data) => this.onRevisions(data, true));
      this.socket.on('revision', (data) => this.onRevisions(data, false));
      this.socket.on('disconnect', () => {
        this.closed = true;
      });
    });
  }

  // typing
  nextChunk() {
    const words = this.words;
    const start = this.wordPos % words.length;
    this.wordPos += CHARS_PER_TICK;
    return (words + words).slice(start, start + CHARS_PER_TICK);
  }

  async typeUntil(startUs, stopUs) {
    let tickAt = startUs;
    while (tickAt < stopUs) {
      const delay = (tickAt - nowUs()) / 1000;
      if (delay > 0) await sleep(delay);
      if (!this.closed && this.revision !== null) {
        this.pending += this.nextChunk();
        this.stats.keystrokeBatches += 1;
        this.maybeSend();
      }
      tickAt += TICK_MS * 1000;
    }
  }

  maybeSend() {
    if (this.closed || this.fetching || this.inFlight !== null || this.pending === '') return;
    if (this.revision < this.ownRevision) return; // wait until the own previous edit came back
    const base = this.shared.record.text(this.revision);
    if (base === undefined) {
      this.stats.error('base_text_dropped', `d${this.index} r${this.revision}`);
      return;
    }
    const sent = nowUs();
    this.sequence += 1;
    const editId = `d${this.index}.${sent}-${this.sequence}`;
    const typed = this.pending;
    this.pending = '';
    this.inFlight = { editId, typed };
    this.stats.editsSent += 1;
    const counted = this.stats.inWindow(sent);
    if (counted) this.stats.sentInWindow.push(editId);
    const payload = {
      letter_id: this.letterId,
      edit_id: editId,
      base_revision: this.revision,
      patch: makePatch(base, base + typed),
    };
    this.socket.timeout(120_000).emit('edit', payload, (error, answer) => this.onEditAnswer(error, answer, sent, counted));
  }

  onEditAnswer(error, answer, sent, counted) {
    const inFlight = this.inFlight;
    this.inFlight = null;
    if (error) {
      this.stats.error('no_answer', `${inFlight.editId}: ${error.message}`);
      this.pending = inFlight.typed + this.pending;
      return;
    }
    if (answer && answer.ok) {
      if (counted) {
        this.stats.ackedInWindow += 1;
        this.stats.ack(sent);
      }
      this.ownRevision = Math.max(this.ownRevision, answer.revision);
      this.maybeSend();
      return;
    }
    const code = answer?.error?.code ?? '?';
    this.stats.error(code, `${inFlight.editId}: ${JSON.stringify(answer)}`);
    this.pending = inFlight.typed + this.pending; // typed again from a newer revision
    if (code === 'conflict') this.startFetch();
    else this.maybeSend();
  }

  // receiving
  onRevisions(data, batched) {
    if (!data || data.letter_id !== this.letterId) return;
    const received = nowUs();
    this.lastRevisionAt = performance.now();
    const list = batched ? data.revisions : [data];
    for (const r of list) {
      if (this.fetching) this.held.push([r, received]);
      else this.applyRevision(r, received);
    }
    this.maybeSend();
  }

  applyRevision(r, received) {
    if (this.revision === null || r.revision <= this.revision) return;
    if (r.revision !== this.revision + 1) {
      this.stats.gaps += 1;
      this.held.push([r, received]);
      this.startFetch();
      return;
    }
    const record = this.shared.record;
    if (r.revision === record.head + 1) {
      if (!record.advance(r)) {
        this.stats.receiveFailures.push(`d${this.index} r${r.revision}: the patch does not apply`);
        return;
      }
    } else if (r.revision <= record.head) {
      const known = record.revisions.get(r.revision);
      if (known === undefined || known.patch !== r.patch || known.edit_id !== r.edit_id) this.stats.mismatches += 1;
    } else {
      this.stats.receiveFailures.push(`d${this.index} r${r.revision}: ahead of the record (${record.head})`);
      return;
    }
    this.revision = r.revision;
    const parsed = parseEditId(r.edit_id);
    if (parsed !== null && parsed[0] !== this.index && this.stats.inWindow(parsed[1])) {
      this.stats.delivered(r.edit_id, parsed[1], received);
    }
  }

  startFetch() {
    if (this.fetching || this.closed || this.revision === null) return;
    this.fetching = true;
    this.stats.fetches += 1;
    this.socket.timeout(60_000).emit('fetch', { letter_id: this.letterId, since: this.revision }, (error, answer) => {
      this.fetching = false;
      if (error || !answer || !answer.ok) {
        this.stats.error('fetch_failed', `d${this.index}: ${error ? error.message : JSON.stringify(answer)}`);
        return;
      }
      const received = nowUs();
      for (const item of answer.revisions) this.applyRevision(item, received);
      const held = this.held.sort((a, b) => a[0].revision - b[0].revision);
      this.held = [];
      for (const [r, at] of held) this.applyRevision(r, at);
      this.maybeSend();
    });
  }

  close() {
    if (this.socket) this.socket.close();
  }
}

// ------------------------------------------------------------------ the process
function lines() {
  const reader = readline.createInterface({ input: process.stdin });
  const queue = [];
  const waiting = [];
  reader.on('line', (line) => {
    if (waiting.length) waiting.shift()(JSON.parse(line));
    else queue.push(JSON.parse(line));
  });
  reader.on('close', () => {
    for (const resolve of waiting.splice(0)) resolve(null);
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
}

async function waitUntil(predicate, seconds, pollMs = 50) {
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(pollMs);
  }
  return predicate();
}

/** A seeded generator (mulberry32), so each process staggers its typists the same way every run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const histObject = (map) => Object.fromEntries(map);

async function main() {
  const next = lines();
  const config = await next();
  const stats = new Stats();
  const shared = { record: null };
  const drafters = config.drafters.map(([index, token]) => new Drafter(index, token, config, stats, shared));
  const failures = [];
  const concurrency = config.connect_concurrency ?? 20;
  for (let i = 0; i < drafters.length; i += concurrency) {
    await Promise.all(
      drafters.slice(i, i + concurrency).map((d) =>
        d.start().catch((error) => {
          d.closed = true;
          failures.push(`d${d.index}: ${error.message}`.slice(0, 300));
        }),
      ),
    );
  }
  emitLine({ event: 'ready', connected: drafters.length - failures.length, failures: failures.slice(0, 10) });

  const go = await next();
  const toUs = (seconds) => Math.round(seconds * 1e6);
  stats.window = [toUs(go.measure_from), toUs(go.measure_until)];
  const random = seeded(config.seed ?? 0);
  const typists = config.typists ?? null;
  const typing = drafters
    .filter((d) => d.revision !== null && (typists === null || d.index < typists))
    .map((d) => d.typeUntil(toUs(go.start + random() * (TICK_MS / 1000)), toUs(go.stop)));
  await Promise.all(typing);

  const settleSeconds = config.settle_seconds ?? 60;
  const settledOk = await waitUntil(() => drafters.every((d) => d.closed || d.revision === null || d.settled), settleSeconds);
  emitLine({ event: 'settled', ok: settledOk, seconds: Math.round((nowUs() / 1e6 - go.stop) * 100) / 100 });

  const verify = await next();
  const target = verify.revision;
  const caughtUp = () => drafters.every((d) => d.closed || d.revision === null || d.revision >= target);
  const deadline = performance.now() + settleSeconds * 1000;
  while (!caughtUp() && performance.now() < deadline) {
    await sleep(200);
    for (const d of drafters) {
      if (d.revision !== null && d.revision < target && performance.now() - d.lastRevisionAt > 2000) {
        d.lastRevisionAt = performance.now();
        d.startFetch();
      }
    }
  }

  const record = shared.record;
  const finalText = record?.text(target);
  const digest = finalText === undefined ? null : crypto.createHash('sha256').update(finalText, 'utf8').digest('hex');
  let matched = 0;
  let lagging = 0;
  const diverged = [];
  for (const d of drafters) {
    if (d.revision === null) continue;
    if (d.closed) stats.disconnects += 1;
    if (d.revision < target) lagging += 1;
    if (d.revision >= target && digest === verify.sha256 && d.settled) matched += 1;
    else diverged.push({ drafter: d.index, revision: d.revision, settled: d.settled, record_head: record?.head });
  }
  if (record) for (const failure of record.failures) stats.receiveFailures.push(failure);
  emitLine({
    event: 'result',
    generator: 'node',
    drafters: drafters.length,
    matched,
    diverged: diverged.length,
    diverged_samples: diverged.slice(0, 5),
    lagging,
    sync_mismatches: stats.mismatches,
    delivery_hist: histObject(stats.deliveryHist),
    ack_hist: histObject(stats.ackHist),
    per_edit: Object.fromEntries(stats.perEdit),
    sent_in_window: stats.sentInWindow,
    acked_in_window: stats.ackedInWindow,
    edits_sent: stats.editsSent,
    keystroke_batches: stats.keystrokeBatches,
    errors: stats.errors,
    error_samples: stats.errorSamples,
    gaps: stats.gaps,
    fetches: stats.fetches,
    receive_failures: stats.receiveFailures.slice(0, 10),
    receive_failure_count: stats.receiveFailures.length,
    disconnects: stats.disconnects,
  });
  await Promise.race([next(), sleep(60_000)]); // quit
  for (const d of drafters) d.close();
  await sleep(200);
  process.exit(0);
}

main().catch((error) => {
  log(`failed: ${error.stack || error}`);
  process.exit(1);
});
