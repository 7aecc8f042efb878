/**
 * Small pure helpers of the review pages (unit-tested in tests/js/review.test.js).
 * @module review/util
 */

/**
 * The code-point offset matching a UTF-16 offset in `text` (the server counts characters as
 * Python does: an emoji outside the Basic Multilingual Plane is one character, two UTF-16 units).
 * An offset inside a surrogate pair counts the whole character.
 *
 * @param {string} text
 * @param {number} utf16Offset
 * @returns {number}
 */
export function codePointOffset(text, utf16Offset) {
  let count = 0;
  for (let i = 0; i < utf16Offset && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * Call `fn` once calls have stopped for `ms` milliseconds, with the last arguments.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
}

/**
 * Replace `{name}` placeholders (as the server writes them in data-label-* attributes).
 * @param {string} template
 * @param {Record<string, string|number>} values
 */
export function fillTemplate(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
