/**
 * What the drafting page tells the person: whether their typing is saved,
 * why something was not saved or not added, and (for screen readers, politely
 * and not per keystroke) who else changed the text.
 *
 * Every sentence comes from the page (data attributes rendered by the server
 * in the person's language); nothing here is user-facing English.
 *
 * @module drafting/status
 */

/**
 * Show the save state (`saved`, `saving`, `retrying`, `refused`) in the
 * element, from its `data-label-STATE` attributes.
 *
 * @param {HTMLElement|null} el
 * @param {string} state
 */
export function showSaveState(el, state) {
  if (!el) return;
  const key = `label${state[0].toUpperCase()}${state.slice(1)}`;
  el.dataset.state = state;
  el.textContent = el.dataset[key] || state;
}

/** Error codes and page events, to the `data-msg-*` attribute that explains them. */
const MESSAGE_FOR = {
  too_large: 'msgTooLarge',
  locked: 'msgLocked',
  forbidden: 'msgForbidden',
  unauthorized: 'msgUnauthorized',
  rate_limited: 'msgRateLimited',
  control: 'msgControl',
  too_long: 'msgTooLong',
  paste_offline: 'msgPasteOffline',
};

/** Notices about what the editor itself did to the input: shown until the person types on. */
const INPUT_NOTICES = new Set(['control', 'too_long']);

/** Notices that stay: once locked, nothing is ever saved again to make them untrue. */
const LASTING_NOTICES = new Set(['locked']);

/**
 * The notice line: one message at a time, replaced by the next. A notice
 * about the server (a refusal, a wait, a paste while offline) goes once the
 * text is saved, except that the letter was locked; one about the input
 * (control characters removed, the size limit) once the person types on.
 *
 * @param {HTMLElement|null} el
 * @returns {{show: (kind: string) => void, error: (e: {code: string, message?: string}) => void,
 *   saved: () => void, typed: () => void}}
 */
export function createNotices(el) {
  let current = null;
  let fresh = false;
  const set = (kind, text) => {
    if (!el || !text) return;
    current = kind;
    fresh = true;
    el.dataset.kind = kind;
    el.textContent = text;
    el.hidden = false;
  };
  const clear = () => {
    if (!el || current === null) return;
    current = null;
    el.textContent = '';
    el.hidden = true;
    delete el.dataset.kind;
  };
  return {
    show(kind) {
      if (!el) return;
      set(kind, el.dataset[MESSAGE_FOR[kind]] || '');
    },
    /** Show a sentence the page already has in its language. */
    set(text) {
      set('message', text);
    },
    error(e) {
      if (!el || !e) return;
      const known = el.dataset[MESSAGE_FOR[e.code]];
      set(e.code, known || `${el.dataset.msgFailed || ''} ${e.message || e.code}`.trim());
    },
    saved() {
      if (current !== null && !INPUT_NOTICES.has(current) && !LASTING_NOTICES.has(current)) clear();
    },
    typed() {
      if (fresh) fresh = false;
      else if (INPUT_NOTICES.has(current)) clear();
    },
  };
}

/**
 * A polite live region announcing co-authors' changes, at most once every
 * `delayMs`: "Alder Okafor and Alder Lindqvist changed the text."
 *
 * @param {HTMLElement|null} el with `data-template` holding `{names}` and `data-and`
 * @param {{delayMs?: number, timers?: {setTimeout: Function, clearTimeout: Function}}} [options]
 * @returns {{changedBy: (author: {id: any, name: string}) => void, flush: () => void}}
 */
export function createAnnouncer(el, options = {}) {
  const delayMs = options.delayMs ?? 4000;
  const timers = options.timers || globalThis;
  const names = new Map();
  let timer = null;
  const flush = () => {
    timer = null;
    if (!el || names.size === 0) return;
    const list = [...names.values()];
    names.clear();
    const and = el.dataset.and || 'and';
    const joined = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} ${and} ${list.at(-1)}`;
    el.textContent = (el.dataset.template || '{names}').replace('{names}', joined);
  };
  return {
    changedBy(author) {
      if (!el || !author) return;
      names.set(String(author.id), String(author.name ?? ''));
      if (timer === null) timer = timers.setTimeout(flush, delayMs);
    },
    flush() {
      if (timer !== null) timers.clearTimeout(timer);
      flush();
    },
  };
}
