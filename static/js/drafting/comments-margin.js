/**
 * Comments in the margin of the drafting room: each open comment thread
 * beside the passage it is anchored to (below the text on a narrow screen),
 * the passage highlighted in the editor and carried through every change
 * (drafting/comment-anchors.js). Select a passage and press "Comment" (or
 * Ctrl+Alt+C) to comment on it; reply and resolve in the thread. A comment
 * made elsewhere (another drafter, the review pages, the API) arrives as the
 * socket's `comment` event: the margin reloads and a polite live region says
 * who did what.
 *
 * Page contract (templates/drafting/_comment_margin.html): an
 * `<aside id="comment-margin" hidden data-label-*="…" data-announce-*="…">`
 * holding `#comment-lane` (with `#comment-open`, `#comment-form` and the list
 * `#comment-threads`), `#comment-empty`, `#comment-message` and
 * `#comment-announcer`. Server side: app/drafting/comment_json.py.
 *
 * Beside the text the lane takes room only while it holds something: a
 * thread, the open form, or the "New comment" button offered beside a
 * selection (the margin has the class `is-empty` otherwise, and the text its
 * full width). A selection made with the mouse is offered the button when the
 * button is released, so that the text does not re-wrap under the pointer.
 *
 * @module drafting/comments-margin
 */
import { Prec, StateEffect } from '@codemirror/state';
import { ViewPlugin, keymap } from '@codemirror/view';
import { anchorRanges, commentAnchors, setActiveComment, setCommentAnchors, stackBoxes } from './comment-anchors.js';
import { postJson, refusalMessage } from './json-requests.js';
import { followRevisionJson } from './revision-json.js';

/** The margin sits beside the text from this width (static/css/comments.css says the same). */
export const WIDE_MARGIN = '(min-width: 64rem)';
const POLL_MS = 30_000;
const QUOTE_CHARS = 80;

/** A passage as the card shows it: at most QUOTE_CHARS characters, on one line. */
export function shortQuote(text) {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS - 1).join('')}…` : flat;
}

/**
 * Threads in reading order: by where their passage starts, the outdated ones
 * (passage deleted) last.
 */
export function readingOrder(threads) {
  return [...threads].sort(
    (a, b) => (a.outdated ? Infinity : a.start) - (b.outdated ? Infinity : b.start) || a.id - b.id,
  );
}

function element(doc, tag, className, text) {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Wire the margin once the editor exists.
 *
 * @param {object} deps
 * @param {Document} deps.doc
 * @param {Window} deps.win
 * @param {string|number} deps.letterId
 * @param {string} deps.csrf
 * @param {string|null} deps.selfId the signed-in official
 * @param {import('./session.js').DraftSession} deps.session
 * @param {{view: EditorView}} deps.editor
 * @param {{on: Function}} deps.socket the `/draft` socket
 * @returns {{refresh: () => void, open: () => boolean}|null}
 */
export function wireComments({ doc, win, letterId, csrf, selfId, session, editor, socket }) {
  const margin = doc.getElementById('comment-margin');
  const lane = doc.getElementById('comment-lane');
  const list = doc.getElementById('comment-threads');
  const form = /** @type {HTMLFormElement|null} */ (doc.getElementById('comment-form'));
  const openButton = doc.getElementById('comment-open');
  const bodyField = /** @type {HTMLTextAreaElement|null} */ (doc.getElementById('comment-body'));
  if (!margin || !lane || !list || !form || !openButton || !bodyField) return null;
  const labels = margin.dataset;
  const view = editor.view;
  const quoteEl = doc.getElementById('comment-quote');
  const message = doc.getElementById('comment-message');
  const empty = doc.getElementById('comment-empty');
  const announcer = doc.getElementById('comment-announcer');
  const wide = win.matchMedia(WIDE_MARGIN);

  /** @type {Map<any, {li: HTMLLIElement, entries: HTMLElement, note: HTMLElement, goto: HTMLButtonElement, key: string}>} */
  const cards = new Map();
  let selection = null; // the passage the open form comments on, carried through changes
  let measuring = false;
  let pointerSelecting = false; // a mouse button is down in the text

  const say = (text) => {
    if (message) message.textContent = text;
  };
  const refused = (data) => say(`${labels.labelFailed || ''} ${refusalMessage(data)}`.trim());

  // ------------------------------------------------------------ the layout
  /** Whether "New comment" is offered: beside a selection, with the form closed. */
  const offering = (state) => form.hidden && !state.selection.main.empty && !pointerSelecting;
  const schedule = () => {
    margin.classList.toggle('is-empty', cards.size === 0 && form.hidden && !offering(view.state));
    if (measuring) return;
    measuring = true;
    view.requestMeasure({ key: 'comment-margin', read: measure, write: place });
  };

  // The lane scrolls with the text: its tops are the passages' heights in the document, and its
  // scroll position is the editor's (either one scrolled moves the other).
  function measure(v) {
    measuring = false;
    if (!wide.matches || margin.hidden) return null;
    const origin = v.documentTop + v.scrollDOM.scrollTop - lane.getBoundingClientRect().top;
    const wantAt = (pos) => {
      const coords = v.coordsAtPos(pos, 1);
      return (coords ? coords.top - v.documentTop : v.lineBlockAt(pos).top) + origin;
    };
    const { set, active } = v.state.field(commentAnchors, false) || { set: null, active: null };
    if (!set) return null;
    const ranges = anchorRanges(set);
    const boxes = [];
    for (const [id, card] of cards) {
      const range = ranges.get(id);
      boxes.push({ key: card.li, want: range ? wantAt(range.from) : null, height: card.li.offsetHeight });
    }
    if (!form.hidden && selection) boxes.push({ key: form, want: wantAt(selection.from), height: form.offsetHeight });
    const main = v.state.selection.main;
    // The button stands beside the selection, taking its place among the threads (never over one).
    const offered = offering(v.state);
    if (offered) boxes.push({ key: openButton, want: wantAt(main.from), height: openButton.offsetHeight });
    const tops = stackBoxes(boxes);
    let bottom = 0;
    for (const box of boxes) bottom = Math.max(bottom, tops.get(box.key) + box.height);
    let current = active;
    if (current === null) {
      for (const [id, range] of ranges) if (main.head > range.from && main.head < range.to) current = id;
    }
    return {
      tops,
      // As tall as the text, to scroll along with it; with nothing in it, nothing to scroll.
      height: boxes.length ? Math.max(bottom, v.contentHeight + origin) : 0,
      offered,
      current,
    };
  }

  function place(m) {
    for (const [id, card] of cards) card.li.classList.toggle('is-active', Boolean(m) && m.current === id);
    if (!m) {
      lane.classList.remove('no-selection');
      for (const el of [list, form, openButton, ...[...cards.values()].map((c) => c.li)]) {
        el.style.removeProperty('top');
        el.style.removeProperty('height');
      }
      return;
    }
    for (const [el, top] of m.tops) el.style.top = `${Math.round(top)}px`;
    list.style.height = `${Math.ceil(m.height)}px`;
    lane.classList.toggle('no-selection', !m.offered);
    followEditor();
  }

  const scroller = view.scrollDOM;
  const followEditor = () => {
    // While the focus is in the margin the lane may scroll on by itself (to a thread whose
    // passage is near the end of the text, say); it follows the editor again afterwards.
    if (!wide.matches || lane.contains(doc.activeElement)) return;
    if (Math.abs(lane.scrollTop - scroller.scrollTop) >= 1) lane.scrollTop = scroller.scrollTop;
  };
  // A card that grows or shrinks (a reply typed, a textarea resized) moves the ones below it.
  const resized = typeof win.ResizeObserver === 'function' ? new win.ResizeObserver(() => schedule()) : { observe() {}, unobserve() {} };
  resized.observe(form);
  lane.addEventListener(
    'scroll',
    () => {
      if (wide.matches && Math.abs(lane.scrollTop - scroller.scrollTop) >= 1) scroller.scrollTop = lane.scrollTop;
    },
    { passive: true },
  );

  // ------------------------------------------------------ the comment form
  const open = () => {
    if (margin.hidden) return false;
    const { from, to } = view.state.selection.main;
    if (from === to) {
      say(labels.labelSelectFirst || '');
      return true;
    }
    selection = { from, to };
    if (quoteEl) quoteEl.textContent = shortQuote(view.state.doc.sliceString(from, to));
    bodyField.value = '';
    say('');
    form.hidden = false;
    openButton.setAttribute('aria-expanded', 'true');
    bodyField.focus();
    schedule();
    return true;
  };
  // Cancelled, the form gives the focus back to the text with the passage selected again (as it
  // was, moved by any change meanwhile): focusing the editor alone may leave the caret elsewhere.
  const close = (reselect = true) => {
    const passage = selection;
    form.hidden = true;
    selection = null;
    openButton.setAttribute('aria-expanded', 'false');
    view.focus();
    if (reselect && passage) view.dispatch({ selection: { anchor: passage.from, head: passage.to } });
    schedule();
  };

  openButton.addEventListener('click', open);
  const cancel = doc.getElementById('comment-cancel');
  if (cancel) cancel.addEventListener('click', () => close());
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation(); // the editor's own Escape would collapse the selection
    close();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!selection) return;
    // Typing not yet stored goes first, so that the passage exists on the server.
    await Promise.race([session.whenIdle(), new Promise((resolve) => win.setTimeout(resolve, 5000))]);
    if (!selection) return;
    const body = {
      revision: session.revision,
      start: session.localToShadow(selection.from),
      end: session.localToShadow(selection.to),
      body: bodyField.value,
    };
    const { ok, data } = await postJson(win, `/drafts/${letterId}/comments.json`, csrf, body);
    if (!ok) {
      refused(data);
      return;
    }
    close(false);
    say(labels.labelAdded || '');
    follower.now();
  });

  // ---------------------------------------------------------------- cards
  const showEntries = (container, thread) => {
    container.replaceChildren();
    for (const entry of [thread, ...thread.replies]) {
      const meta = element(doc, 'p', 'comment-meta');
      meta.append(element(doc, 'strong', '', entry.author ? entry.author.name : ''), ` · ${entry.when}`);
      container.append(meta, element(doc, 'p', 'comment-body', entry.body));
    }
  };

  const makeCard = (thread) => {
    const li = /** @type {HTMLLIElement} */ (element(doc, 'li', 'comment-thread'));
    li.id = `margin-comment-${thread.id}`;
    li.dataset.threadId = String(thread.id);
    const goto = /** @type {HTMLButtonElement} */ (element(doc, 'button', 'comment-goto'));
    goto.type = 'button';
    goto.addEventListener('click', () => {
      const range = anchorRanges(view.state.field(commentAnchors).set).get(thread.id);
      if (!range) return;
      view.dispatch({ selection: { anchor: range.from, head: range.to }, scrollIntoView: true });
      view.focus();
    });
    const note = element(doc, 'p', 'comment-note');
    const entries = element(doc, 'div', 'comment-entries');
    const reply = element(doc, 'form', 'comment-reply-form');
    const replyId = `comment-reply-${thread.id}`;
    const replyLabel = element(doc, 'label', 'visually-hidden', labels.labelReplyField || '');
    replyLabel.htmlFor = replyId;
    const replyField = /** @type {HTMLTextAreaElement} */ (element(doc, 'textarea'));
    replyField.id = replyId;
    replyField.rows = 1;
    replyField.maxLength = 5000;
    replyField.required = true;
    const replyButton = /** @type {HTMLButtonElement} */ (element(doc, 'button', '', labels.labelReply || ''));
    replyButton.type = 'submit';
    const resolve = /** @type {HTMLButtonElement} */ (element(doc, 'button', 'comment-resolve', labels.labelResolve || ''));
    resolve.type = 'button';
    const actions = element(doc, 'p', 'comment-actions');
    actions.append(replyButton, resolve);
    reply.append(replyLabel, replyField, actions);
    reply.addEventListener('submit', async (event) => {
      event.preventDefault();
      replyButton.disabled = true;
      const url = `/drafts/${letterId}/comments/${thread.id}/replies.json`;
      const { ok, data } = await postJson(win, url, csrf, { body: replyField.value });
      replyButton.disabled = false;
      if (!ok) {
        refused(data);
        return;
      }
      replyField.value = '';
      say(labels.labelReplied || '');
      follower.now();
    });
    resolve.addEventListener('click', async () => {
      resolve.disabled = true;
      const url = `/drafts/${letterId}/comments/${thread.id}/resolve.json`;
      const { ok, data } = await postJson(win, url, csrf, { resolved: true });
      resolve.disabled = false;
      if (!ok) {
        refused(data);
        return;
      }
      say(labels.labelResolved || '');
      follower.now();
    });
    li.append(goto, note, entries, reply);
    resized.observe(li);
    return { li, entries, note, goto, key: '' };
  };

  const showThreads = (threads) => {
    const ordered = readingOrder(threads);
    const wanted = new Set(ordered.map((t) => t.id));
    let focusLost = false;
    for (const [id, card] of cards) {
      if (wanted.has(id)) continue;
      focusLost = focusLost || card.li.contains(doc.activeElement);
      resized.unobserve(card.li);
      card.li.remove();
      cards.delete(id);
    }
    ordered.forEach((thread, i) => {
      let card = cards.get(thread.id);
      if (!card) {
        card = makeCard(thread);
        cards.set(thread.id, card);
      }
      const key = JSON.stringify([thread.quote, thread.outdated, thread.edited, thread.body, thread.replies]);
      if (card.key !== key) {
        card.key = key;
        card.goto.textContent = `“${shortQuote(thread.quote)}”`;
        card.goto.title = labels.labelGoto || '';
        card.goto.disabled = thread.outdated;
        card.note.textContent = thread.outdated ? labels.labelOutdated || '' : thread.edited ? labels.labelEdited || '' : '';
        card.note.hidden = !card.note.textContent;
        showEntries(card.entries, thread);
      }
      // Move a card only when it is out of place: moving the one holding the focus would drop it.
      if (list.children[i] !== card.li) list.insertBefore(card.li, list.children[i] || null);
    });
    if (empty) empty.hidden = ordered.length > 0;
    if (focusLost) (doc.getElementById('comment-margin-heading') || view.contentDOM).focus();
    schedule();
    view.dispatch({
      effects: setCommentAnchors.of(
        ordered
          .filter((t) => !t.outdated)
          .map((t) => ({ id: t.id, from: session.shadowToLocal(t.start), to: session.shadowToLocal(t.end) })),
      ),
    });
  };

  const follower = followRevisionJson({
    win,
    url: `/drafts/${letterId}/comments.json`,
    session,
    onData: (data) => {
      margin.hidden = !data.can_comment && data.threads.length === 0;
      openButton.hidden = !data.can_comment;
      showThreads(data.threads);
    },
  });

  // Reading a card marks its passage (the lane scrolls the text along with it).
  margin.addEventListener('focusin', (event) => {
    const li = event.target instanceof Element ? event.target.closest('li.comment-thread') : null;
    const id = li ? Number(li.dataset.threadId) : null;
    const range = id === null ? null : anchorRanges(view.state.field(commentAnchors).set).get(id);
    view.dispatch({ effects: setActiveComment.of(range ? id : null) });
  });
  margin.addEventListener('focusout', (event) => {
    if (!(event.relatedTarget instanceof Node) || !margin.contains(event.relatedTarget)) {
      view.dispatch({ effects: setActiveComment.of(null) });
      win.setTimeout(followEditor, 0);
    }
  });

  // --------------------------------------------------------- editor parts
  const layout = ViewPlugin.fromClass(
    class {
      constructor(v) {
        this.v = v;
        this.onScroll = () => {
          followEditor();
          schedule();
        };
        v.scrollDOM.addEventListener('scroll', this.onScroll, { passive: true });
      }

      update(update) {
        const before = update.startState.field(commentAnchors, false);
        const after = update.state.field(commentAnchors, false);
        if (update.docChanged) {
          if (selection) {
            selection = { from: update.changes.mapPos(selection.from, 1), to: update.changes.mapPos(selection.to, -1) };
          }
          // A passage all deleted: the server will call its thread outdated; ask for the news.
          if (before && after && anchorRanges(after.set).size < anchorRanges(before.set).size) follower.refresh();
        }
        if (update.docChanged || update.selectionSet || update.geometryChanged || update.viewportChanged || before !== after) {
          schedule();
        }
      }

      destroy() {
        this.v.scrollDOM.removeEventListener('scroll', this.onScroll);
      }
    },
  );
  view.contentDOM.addEventListener('mousedown', (event) => {
    if (event.button === 0) pointerSelecting = true;
  });
  win.addEventListener(
    'mouseup',
    () => {
      if (!pointerSelecting) return;
      pointerSelecting = false;
      schedule();
    },
    true,
  );
  const shortcut = Prec.high(keymap.of([{ key: 'Ctrl-Alt-c', mac: 'Cmd-Alt-c', run: () => open() }]));
  view.dispatch({ effects: StateEffect.appendConfig.of([commentAnchors, layout, shortcut]) });
  wide.addEventListener('change', schedule);

  // ------------------------------------------------------------ live news
  let announceTimer = null;
  socket.on('comment', (payload) => {
    if (!payload || String(payload.letter_id) !== String(letterId)) return;
    follower.refresh();
    const by = payload.author;
    if (!by || String(by.id) === String(selfId) || !announcer) return;
    const action = String(payload.action || '');
    const template = labels[`announce${action.charAt(0).toUpperCase()}${action.slice(1)}`];
    if (!template) return;
    // Emptied first, so that the same sentence twice is announced twice.
    announcer.textContent = '';
    if (announceTimer !== null) win.clearTimeout(announceTimer);
    announceTimer = win.setTimeout(() => {
      announceTimer = null;
      announcer.textContent = template.replace('{name}', String(by.name ?? ''));
    }, 100);
  });
  session.on('ready', () => follower.now());
  win.setInterval(() => follower.refresh(), POLL_MS);
  if (session.ready) follower.now();
  return { refresh: follower.refresh, open };
}
