/**
 * Splitting a large change into edits the server accepts.
 *
 * The server refuses an edit whose patch text is over 64 KiB (UTF-8), so a
 * paste of 200,000 characters cannot go out as one edit. {@link splitOps}
 * cuts an operation in two, `first` and `rest`, with
 * `compose(first, rest)` doing exactly what the operation did and the patch
 * of `first` near a budget; the session sends `first` now and `rest` (cut
 * again if need be) once `first` is stored, one edit after another.
 *
 * @module drafting/chunks
 */
import { push } from './operations.js';
import { isHighSurrogate, isLowSurrogate } from './text.js';

/** The server's limit on an edit's patch text, in bytes of UTF-8. */
export const MAX_PATCH_BYTES = 64 * 1024;

/** What the session aims at for one edit: well under the limit, leaving room for hunk headers and context. */
export const PATCH_BUDGET = 48 * 1024;

/** The server's limit on a letter's text, in UTF-16 code units. */
export const MAX_TEXT_UNITS = 200_000;

// Characters encodeURI leaves alone (a space is written as a space in patch text).
const PLAIN = /[A-Za-z0-9;,/?:@&=+$\-_.!~*'()# ]/;

/**
 * Bytes that one UTF-16 code unit of `text` at `i` costs in patch text
 * (encodeURI'd UTF-8). A surrogate pair costs 12 in all, 6 for each half.
 *
 * @param {string} text
 * @param {number} i
 * @returns {number}
 */
function unitCost(text, i) {
  const code = text.charCodeAt(i);
  if (code < 0x80) return PLAIN.test(text[i]) ? 1 : 3;
  if (code < 0x800) return 6;
  if (isHighSurrogate(code) || isLowSurrogate(code)) return 6;
  return 9;
}

/**
 * Bytes a string costs in patch text.
 *
 * @param {string} text
 * @returns {number}
 */
export function patchCost(text) {
  let cost = 0;
  for (let i = 0; i < text.length; i += 1) cost += unitCost(text, i);
  return cost;
}

/**
 * The longest prefix of `text[from..from+max)` costing at most `budget`,
 * never ending between the halves of a surrogate pair. Returns its length.
 *
 * @param {string} text
 * @param {number} from
 * @param {number} max
 * @param {number} budget
 * @returns {{length: number, cost: number}}
 */
function fit(text, from, max, budget) {
  let cost = 0;
  let n = 0;
  while (n < max) {
    const c = unitCost(text, from + n);
    if (cost + c > budget) break;
    cost += c;
    n += 1;
  }
  if (n > 0 && n < max && isHighSurrogate(text.charCodeAt(from + n - 1))) {
    n -= 1;
    cost -= 6;
  }
  return { length: n, cost };
}

/**
 * Cut `ops` (an operation on `base`) into `[first, rest]`: `first` applies to
 * `base`, `rest` to `apply(base, first)`, and together they do what `ops`
 * does. The inserted and deleted text of `first` costs at most `budget`
 * bytes of patch text (at least one code unit, or a surrogate pair, so that
 * every cut makes progress). `rest` is null when `ops` fits whole.
 *
 * @param {string} base the text `ops` applies to
 * @param {import('./operations.js').Op[]} ops
 * @param {number} [budget]
 * @returns {[import('./operations.js').Op[], import('./operations.js').Op[]|null]}
 */
export function splitOps(base, ops, budget = PATCH_BUDGET) {
  const first = [];
  const rest = [];
  let left = budget;
  let cut = false;
  let at = 0; // offset in base
  for (const op of ops) {
    if ('retain' in op) {
      push(first, { retain: op.retain });
      push(rest, { retain: op.retain });
      at += op.retain;
    } else if ('insert' in op) {
      const s = op.insert;
      let n = cut ? 0 : fit(s, 0, s.length, left).length;
      if (!cut && n === 0 && left === budget) n = isHighSurrogate(s.charCodeAt(0)) ? 2 : 1;
      if (n < s.length) cut = true;
      left -= patchCost(s.slice(0, n));
      push(first, { insert: s.slice(0, n) });
      push(rest, { retain: n });
      push(rest, { insert: s.slice(n) });
    } else {
      const d = op.delete;
      let n = cut ? 0 : fit(base, at, d, left).length;
      if (!cut && n === 0 && left === budget) n = isHighSurrogate(base.charCodeAt(at)) ? 2 : 1;
      if (n < d) cut = true;
      left -= patchCost(base.slice(at, at + n));
      push(first, { delete: n });
      push(first, { retain: d - n });
      push(rest, { delete: d - n });
      at += d;
    }
  }
  return [first, cut ? rest : null];
}
