/**
 * Live preview: the draft rendered as Markdown (raw HTML disabled), then
 * sanitised with DOMPurify before it touches the page.
 *
 * @module drafting/preview
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

/**
 * Render Markdown to HTML. Raw HTML in the source is shown as text, and
 * markdown-it refuses javascript:, vbscript: and most data: links.
 *
 * @param {string} text
 * @returns {string}
 */
export function renderMarkdown(text) {
  return md.render(String(text ?? ''));
}

/**
 * Sanitise HTML with DOMPurify (browser only).
 *
 * @param {string} html
 * @returns {string}
 */
export function sanitizeHtml(html) {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}

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
