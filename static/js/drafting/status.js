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

/**
 * The notice line: one message at a time, replaced by the next, cleared
 * when the reason has passed.
 *
 * @param {HTMLElement|null} el
 * @returns {{show: (kind: string) => void, error: (e: {code: string, message?: string}) => void,
 *   clear: (kind?: string) => void}}
 */
export function createNotices(el) {
  let current = null;
  const set = (kind, text) => {
    if (!el || !text) return;
    current = kind;
    el.dataset.kind = kind;
    el.textContent = text;
    el.hidden = false;
  };
  return {
    show(kind) {
      if (!el) return;
      set(kind, el.dataset[MESSAGE_FOR[kind]] || '');
    },
    error(e) {
      if (!el || !e) return;
      const known = el.dataset[MESSAGE_FOR[e.code]];
      set(e.code, known || `${el.dataset.msgFailed || ''} ${e.message || e.code}`.trim());
    },
    clear(kind) {
      if (!el || current === null) return;
      // Refusals stay until the person acts; passing states are cleared once saved.
      if (kind === 'saving' && !['rate_limited', 'paste_offline'].includes(current)) return;
      current = null;
      el.textContent = '';
      el.hidden = true;
      delete el.dataset.kind;
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
