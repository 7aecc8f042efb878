/**
 * Markdown for the drafting room's preview, configured exactly as the
 * published page (app/letters/markdown.py): both read
 * app/letters/markdown_options.json. markdown-it renders (raw HTML off),
 * DOMPurify keeps the same tags, attributes and link schemes as the
 * server's nh3, and links get the same `rel`.
 *
 * @module drafting/markdown
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import OPTIONS from '../../../app/letters/markdown_options.json' with { type: 'json' };

export { OPTIONS };

const md = new MarkdownIt(OPTIONS.preset, OPTIONS.options).enable(OPTIONS.enable);

/**
 * Render Markdown to HTML, unsanitised (what markdown-it-py makes on the server).
 *
 * @param {string} text
 * @returns {string}
 */
export function renderMarkdown(text) {
  return md.render(String(text ?? ''));
}

const SCHEMES = OPTIONS.url_schemes.map((s) => s.replace(/[^a-z0-9+.-]/gi, '')).join('|');
// A URL with one of the allowed schemes, or no scheme at all (relative), as nh3 allows.
const ALLOWED_URI = new RegExp(`^(?:(?:${SCHEMES}):|[^a-z]|[a-z+.\\-]+(?:[^a-z+.\\-:]|$))`, 'i');
const ALLOWED_ATTR = [...new Set(Object.values(OPTIONS.allowed_attributes).flat())];
let purify = null;

/**
 * Sanitise HTML as the server does (browser only).
 *
 * @param {string} html
 * @returns {string}
 */
export function sanitizeHtml(html) {
  if (purify === null) {
    purify = DOMPurify;
    purify.addHook('afterSanitizeAttributes', (node) => {
      const tag = node.nodeName.toLowerCase();
      const allowed = OPTIONS.allowed_attributes[tag] || [];
      for (const { name } of [...node.attributes]) if (!allowed.includes(name)) node.removeAttribute(name);
      if (tag === 'a' && node.hasAttribute('href')) node.setAttribute('rel', OPTIONS.link_rel);
    });
  }
  return purify.sanitize(html, {
    ALLOWED_TAGS: OPTIONS.allowed_tags,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: ALLOWED_URI,
  });
}
