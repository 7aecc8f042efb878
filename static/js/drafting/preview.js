/**
 * Live preview: the draft rendered as Markdown exactly as the published page
 * renders it (drafting/markdown.js), sanitised before it touches the page.
 *
 * @module drafting/preview
 */
import { renderMarkdown, sanitizeHtml } from './markdown.js';

export { renderMarkdown, sanitizeHtml };

/**
 * A debounced preview bound to an element.
 *
 * @param {HTMLElement} element where the rendered HTML goes
 * @param {{delay?: number, sanitize?: (html: string) => string,
 *   timers?: {setTimeout: Function, clearTimeout: Function}}} [options]
 * @returns {{update: (text: string) => void, flush: () => void}}
 */
export function createPreview(element, options = {}) {
  const delay = options.delay ?? 200;
  const sanitize = options.sanitize || sanitizeHtml;
  const timers = options.timers || globalThis;
  let timer = null;
  let latest = null;
  let shown = null;

  const flush = () => {
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    if (latest === null || latest === shown) return;
    shown = latest;
    element.innerHTML = sanitize(renderMarkdown(latest));
  };

  return {
    update(text) {
      latest = String(text ?? '');
      if (timer === null) timer = timers.setTimeout(flush, delay);
    },
    flush,
  };
}
