/**
 * Text normalisation shared by every drafting module.
 *
 * The server stores letters with LF line endings and counts offsets in UTF-16
 * code units, exactly as JavaScript strings do, so the browser must hand it the
 * same kind of text: LF only, and well-formed UTF-16 (no lone surrogate, which
 * could not be percent-encoded into a patch).
 *
 * @module drafting/text
 */

/**
 * Convert CRLF and lone CR line endings to LF.
 *
 * @param {string} text
 * @returns {string}
 */
export function normalizeLineEndings(text) {
  return String(text ?? '').replace(/\r\n?/g, '\n');
}

/**
 * Replace every lone (unpaired) surrogate with U+FFFD so the text is
 * well-formed UTF-16 and can be encoded as UTF-8.
 *
 * @param {string} text
 * @returns {string}
 */
export function toWellFormed(text) {
  const s = String(text ?? '');
  if (typeof s.toWellFormed === 'function') return s.toWellFormed();
  let out = '';
  for (let i = 0; i < s.length; i += 1) {
    const code = s.charCodeAt(i);
    if (isHighSurrogate(code) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      out += s[i] + s[i + 1];
      i += 1;
    } else if (isHighSurrogate(code) || isLowSurrogate(code)) {
      out += '\uFFFD';
    } else {
      out += s[i];
    }
  }
  return out;
}

/**
 * Whether a text is well-formed UTF-16 (no lone surrogate).
 *
 * @param {string} text
 * @returns {boolean}
 */
export function isWellFormed(text) {
  const s = String(text ?? '');
  if (typeof s.isWellFormed === 'function') return s.isWellFormed();
  return toWellFormed(s) === s;
}

/**
 * Whether `offset` falls between the two halves of a surrogate pair of `text`.
 *
 * @param {string} text
 * @param {number} offset UTF-16 offset
 * @returns {boolean}
 */
export function splitsPair(text, offset) {
  return (
    offset > 0 &&
    offset < text.length &&
    isLowSurrogate(text.charCodeAt(offset)) &&
    isHighSurrogate(text.charCodeAt(offset - 1))
  );
}

/**
 * Normalise a text for drafting: LF line endings and well-formed UTF-16.
 *
 * @param {string} text
 * @returns {string}
 */
export function normalizeText(text) {
  return toWellFormed(normalizeLineEndings(text));
}

/**
 * Whether a UTF-16 code unit is a high (leading) surrogate.
 *
 * @param {number} code a code unit, as from `charCodeAt`
 * @returns {boolean}
 */
export function isHighSurrogate(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Whether a UTF-16 code unit is a low (trailing) surrogate.
 *
 * @param {number} code a code unit, as from `charCodeAt`
 * @returns {boolean}
 */
export function isLowSurrogate(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Move an offset that falls between the two halves of a surrogate pair to
 * the start of that pair, so it never points inside a character.
 *
 * @param {string} text
 * @param {number} offset UTF-16 offset
 * @returns {number}
 */
export function clampOffset(text, offset) {
  let n = Math.max(0, Math.min(text.length, Math.trunc(Number(offset) || 0)));
  if (n > 0 && n < text.length && isLowSurrogate(text.charCodeAt(n)) && isHighSurrogate(text.charCodeAt(n - 1))) {
    n -= 1;
  }
  return n;
}
