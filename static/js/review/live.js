/**
 * Live review: a review page keeps itself up to date while drafters type, without a reload.
 *
 * The page's `#live-review` element names a small JSON snapshot of the letter
 * (`data-live-url`, answered with an ETag; 304 while nothing changed) and the state the page was
 * rendered at. Every few seconds (never while the tab is hidden) the page asks; when the letter
 * has changed it fetches its own address again and swaps in each `[data-live-region]` whose HTML
 * differs, except a region the person is in (focus inside, or a form field they have typed in):
 * that one waits for the next change. `[data-live-pin="name=value"]` keeps a parameter in that
 * fetch, so that what the person acts on stays what they saw (the revision an approval form
 * approves). Inputs `[data-live-max]` take the newest revision as their maximum and
 * `[data-live-label]` templates get it as `{n}`.
 *
 * What changed is said once in a polite live region (`#live-status`), at most once per
 * `ANNOUNCE_EVERY_MS`: changes in between are gathered into the next announcement.
 *
 * Without JavaScript the pages are the same, as of when they were loaded.
 *
 * @module review/live
 */
import { fillTemplate } from './util.js';

/** The shortest time between two announcements. */
export const ANNOUNCE_EVERY_MS = 15000;
/** The longest wait between two attempts after failures. */
const MAX_BACKOFF_MS = 60000;

/**
 * The address to fetch a page's fresh HTML from: the page's own, with the pinned parameters
 * added where the address does not already give them.
 * @param {string} href
 * @param {string[]} pins "name=value" strings
 * @returns {string}
 */
export function refreshUrl(href, pins) {
  const url = new URL(href);
  url.hash = '';
  for (const pin of pins) {
    const at = pin.indexOf('=');
    if (at <= 0) continue;
    const name = pin.slice(0, at);
    if (!url.searchParams.has(name)) url.searchParams.set(name, pin.slice(at + 1));
  }
  return url.toString();
}

/**
 * Gathers announcements so that a screen reader hears at most one per `every` milliseconds.
 * `offer(text, snapshot, now)` keeps the newest text (each one says everything since the last
 * announcement); `due(now)` hands it out once it may be said.
 */
export class Announcer {
  constructor(every = ANNOUNCE_EVERY_MS, since = '') {
    this.every = every;
    this.since = since; // the snapshot the next announcement counts from
    this.last = -Infinity;
    this.pending = '';
    this.pendingSnapshot = since;
  }

  offer(text, snapshot) {
    if (!text) return;
    this.pending = text;
    this.pendingSnapshot = snapshot;
  }

  due(now) {
    if (!this.pending || now - this.last < this.every) return '';
    const text = this.pending;
    this.last = now;
    this.since = this.pendingSnapshot;
    this.pending = '';
    return text;
  }
}

/** The HTML each region was last given by the server (to swap only what changed). */
const givenHtml = new WeakMap();

/** True when the person is in `region`: focus inside it, or a field they have changed. */
function isBusy(region) {
  const active = region.ownerDocument.activeElement;
  if (active && active !== region.ownerDocument.body && region.contains(active)) return true;
  for (const field of region.querySelectorAll('input, textarea, select')) {
    if (field instanceof HTMLSelectElement) {
      if (Array.from(field.options).some((o) => o.selected !== o.defaultSelected)) return true;
    } else if (field.type === 'checkbox' || field.type === 'radio') {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.type !== 'hidden' && field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

/** Keys of the open `<details>` in a region (by the nearest id around them and their order). */
function openDetails(region) {
  const keys = new Set();
  region.querySelectorAll('details').forEach((details, index) => {
    if (details.open) keys.add(`${details.closest('[id]')?.id || ''}#${index}`);
  });
  return keys;
}

function reopenDetails(region, keys) {
  region.querySelectorAll('details').forEach((details, index) => {
    if (keys.has(`${details.closest('[id]')?.id || ''}#${index}`)) details.open = true;
  });
}

/**
 * @param {HTMLElement} root the `#live-review` element
 * @param {{onRegion?: (region: HTMLElement) => void}} hooks `onRegion` enhances a swapped region
 */
export function setUpLive(root, hooks = {}) {
  const url = root.dataset.liveUrl;
  if (!url || typeof fetch !== 'function') return;
  const doc = root.ownerDocument;
  const status = doc.getElementById('live-status');
  const interval = Number(root.dataset.liveInterval) || 3000;
  const announcer = new Announcer(ANNOUNCE_EVERY_MS, root.dataset.liveSnapshot || '');
  let etag = root.dataset.liveEtag || '';
  let stale = false; // a region waits to be swapped in
  let wait = interval;
  let timer = null;

  const refreshRegions = async () => {
    const pins = Array.from(doc.querySelectorAll('[data-live-pin]'), (el) => el.dataset.livePin);
    const response = await fetch(refreshUrl(doc.location.href, pins), {
      headers: { Accept: 'text/html' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!response.ok || response.redirected) throw new Error(String(response.status));
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    stale = false;
    for (const region of doc.querySelectorAll('[data-live-region]')) {
      const replacement = fresh.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
      if (!replacement || replacement.innerHTML === givenHtml.get(region)) continue;
      if (isBusy(region)) {
        stale = true;
        continue;
      }
      const open = openDetails(region);
      region.replaceChildren(...Array.from(replacement.childNodes, (node) => doc.importNode(node, true)));
      givenHtml.set(region, replacement.innerHTML);
      reopenDetails(region, open);
      if (hooks.onRegion) hooks.onRegion(region);
    }
  };

  const showNewest = (revision) => {
    for (const input of doc.querySelectorAll('[data-live-max]')) input.max = String(revision);
    for (const el of doc.querySelectorAll('[data-live-label]')) el.textContent = fillTemplate(el.dataset.liveLabel, { n: revision });
    const shown = Number(root.dataset.liveShown);
    const notice = doc.getElementById('live-newer');
    if (notice && Number.isFinite(shown) && revision > shown) {
      const text = notice.querySelector('[data-live-newer-text]');
      if (text) text.textContent = fillTemplate(notice.dataset.labelNewer || '', { n: revision });
      notice.hidden = false;
    }
  };

  const poll = async () => {
    timer = null;
    if (doc.hidden) return; // asked again when the tab is shown
    try {
      const address = new URL(url, doc.location.href);
      if (announcer.since) address.searchParams.set('since', announcer.since);
      const response = await fetch(address, {
        headers: { Accept: 'application/json', ...(etag ? { 'If-None-Match': `"${etag}"` } : {}) },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // Signed out (sent to the sign-in page), no longer allowed, or the letter is gone: stop asking.
      if (response.redirected || [401, 403, 404].includes(response.status)) return;
      if (response.status === 200) {
        const data = await response.json();
        if (data.etag !== etag) {
          etag = data.etag;
          await refreshRegions();
          showNewest(data.revision);
          announcer.offer(data.announcement, data.snapshot);
          doc.dispatchEvent(new CustomEvent('review:live', { detail: data }));
        }
      } else if (response.status !== 304) {
        throw new Error(String(response.status));
      } else if (stale) {
        await refreshRegions();
      }
      const text = announcer.due(Date.now());
      if (text && status) status.textContent = text;
      wait = interval;
    } catch {
      wait = Math.min(MAX_BACKOFF_MS, wait * 2); // offline or failing: ask less often
    }
    schedule();
  };

  const schedule = () => {
    if (timer === null && !doc.hidden) timer = setTimeout(poll, wait);
  };

  for (const region of doc.querySelectorAll('[data-live-region]')) givenHtml.set(region, region.innerHTML);
  doc.addEventListener('visibilitychange', () => {
    if (!doc.hidden && timer === null) {
      timer = setTimeout(poll, 0);
    }
  });
  schedule();
}
