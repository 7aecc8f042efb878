/**
 * Live preview: the draft rendered as Markdown exactly as the published page
 * renders it (drafting/markdown.js), sanitised before it touches the page.
 *
 * @module drafting/preview
 */
import { renderMarkdown, sanitizeHtml } from './markdown.js';

export { renderMarkdown, sanitizeHtml };

/**
 * A preview bound to an element, rendered at most every `delay` ms, and less
 * often when rendering is slow: after a render that took `cost` ms the next
 * waits at least `cost * spacing` ms, so that a very long letter's preview
 * never takes more than a small share of the page's time from typing. While
 * the person types (`typing()`), it waits for a pause of `quietMs`.
 *
 * @param {HTMLElement} element where the rendered HTML goes
 * @param {{delay?: number, spacing?: number, quietMs?: number, sanitize?: (html: string) => string,
 *   timers?: {setTimeout: Function, clearTimeout: Function}, now?: () => number}} [options]
 * @returns {{update: (text: string) => void, flush: () => void, typing: () => void}}
 */
export function createPreview(element, options = {}) {
  const delay = options.delay ?? 200;
  const spacing = options.spacing ?? 20;
  const quietMs = options.quietMs ?? 700;
  const sanitize = options.sanitize || sanitizeHtml;
  const timers = options.timers || globalThis;
  const now = options.now || (() => (globalThis.performance ? globalThis.performance.now() : Date.now()));
  let timer = null;
  let latest = null;
  let shown = null;
  let wait = delay;
  let quietUntil = 0;

  const schedule = (ms) => {
    if (timer === null) timer = timers.setTimeout(tick, ms);
  };

  function tick() {
    timer = null;
    const left = quietUntil - now();
    if (left > 0) {
      schedule(left);
      return;
    }
    flush();
  }

  function flush() {
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    if (latest === null || latest === shown) return;
    shown = latest;
    const started = now();
    element.innerHTML = sanitize(renderMarkdown(latest));
    wait = Math.max(delay, Math.min(10_000, (now() - started) * spacing));
  }

  return {
    update(text) {
      latest = String(text ?? '');
      schedule(wait);
    },
    typing() {
      quietUntil = now() + quietMs;
    },
    flush,
  };
}
