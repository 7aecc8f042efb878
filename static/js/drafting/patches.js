/**
 * Surrogate-safe wrappers over diff-match-patch 1.0.5.
 *
 * diff-match-patch diffs UTF-16 code units, so it happily cuts a character
 * outside the Basic Multilingual Plane in half: "😀" (D83D DE00) replaced by
 * "😃" (D83D DE03) diffs as "keep D83D, delete DE00, insert DE03", and
 * `patch_toText` then throws "URI malformed" because a lone surrogate cannot be
 * percent-encoded. The functions here move every diff boundary (and every
 * patch context boundary) off the middle of a surrogate pair, so the patch
 * text is always valid and offsets still count UTF-16 code units, as the
 * server expects.
 *
 * @module drafting/patches
 */
import DiffMatchPatch from 'diff-match-patch';
import { isHighSurrogate, isLowSurrogate, isWellFormed, splitsPair } from './text.js';

/** diff-match-patch operation codes. */
export const DIFF_DELETE = -1;
export const DIFF_INSERT = 1;
export const DIFF_EQUAL = 0;

/**
 * @typedef {[number, string]} Diff  a diff-match-patch tuple: [op, text]
 */

/**
 * A parsed hunk of a patch.
 * @typedef {object} Hunk
 * @property {number} start1
 * @property {number} start2  where the hunk applies, in the text as patched by the hunks before it
 * @property {number} length1
 * @property {number} length2
 * @property {Diff[]} diffs
 */

const Diff = DiffMatchPatch.Diff;

/**
 * A diff-match-patch instance whose patch context never starts or ends
 * between the two halves of a surrogate pair.
 *
 * @returns {DiffMatchPatch}
 */
function createDmp() {
  const dmp = new DiffMatchPatch();
  dmp.Diff_Timeout = 1;
  /**
   * Same as the library's patch_addContext_, but the prefix and suffix are
   * widened by one code unit when they would cut a surrogate pair.
   * @param {object} patch
   * @param {string} text
   */
  dmp.patch_addContext_ = function addContext(patch, text) {
    if (text.length === 0) return;
    if (patch.start2 === null) throw new Error('patch not initialized');
    let pattern = text.substring(patch.start2, patch.start2 + patch.length1);
    let padding = 0;
    while (
      text.indexOf(pattern) !== text.lastIndexOf(pattern) &&
      pattern.length < this.Match_MaxBits - this.Patch_Margin - this.Patch_Margin
    ) {
      padding += this.Patch_Margin;
      pattern = text.substring(patch.start2 - padding, patch.start2 + patch.length1 + padding);
    }
    padding += this.Patch_Margin;

    let prefixStart = Math.max(0, patch.start2 - padding);
    if (prefixStart > 0 && prefixStart < patch.start2 && isLowSurrogate(text.charCodeAt(prefixStart))) {
      prefixStart -= 1;
    }
    const prefix = text.substring(prefixStart, patch.start2);
    if (prefix) patch.diffs.unshift(new Diff(DIFF_EQUAL, prefix));

    const suffixStart = patch.start2 + patch.length1;
    let suffixEnd = Math.min(text.length, suffixStart + padding);
    if (suffixEnd > suffixStart && suffixEnd < text.length && isHighSurrogate(text.charCodeAt(suffixEnd - 1))) {
      suffixEnd += 1;
    }
    const suffix = text.substring(suffixStart, suffixEnd);
    if (suffix) patch.diffs.push(new Diff(DIFF_EQUAL, suffix));

    patch.start1 -= prefix.length;
    patch.start2 -= prefix.length;
    patch.length1 += prefix.length + suffix.length;
    patch.length2 += prefix.length + suffix.length;
  };
  return dmp;
}

const dmp = createDmp();

/**
 * Move diff boundaries so that no diff chunk starts or ends between a high and
 * a low surrogate. The result still spells the same two texts (equal + delete
 * runs give the old text, equal + insert runs the new one).
 *
 * @param {Diff[]} diffs
 * @returns {Diff[]}
 */
export function fixSurrogateBoundaries(diffs) {
  // Group into alternating equalities and changes {del, ins}.
  /** @type {Array<{eq: string}|{del: string, ins: string}>} */
  let groups = [];
  for (const d of diffs) {
    const op = d[0];
    const text = d[1];
    if (!text) continue;
    const last = groups[groups.length - 1];
    if (op === DIFF_EQUAL) {
      if (last && 'eq' in last) last.eq += text;
      else groups.push({ eq: text });
    } else {
      let change = last;
      if (!change || 'eq' in change) {
        change = { del: '', ins: '' };
        groups.push(change);
      }
      if (op === DIFF_DELETE) change.del += text;
      else change.ins += text;
    }
  }

  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < groups.length; i += 1) {
      const g = groups[i];
      if ('eq' in g) continue;
      const before = groups[i - 1];
      const after = groups[i + 1];
      // An equality ending with a high surrogate: its low half is in the change.
      if (before && before.eq && isHighSurrogate(before.eq.charCodeAt(before.eq.length - 1))) {
        const hs = before.eq.slice(-1);
        before.eq = before.eq.slice(0, -1);
        g.del = hs + g.del;
        g.ins = hs + g.ins;
        changed = true;
      }
      // An equality starting with a low surrogate: its high half ends the change.
      if (after && after.eq && isLowSurrogate(after.eq.charCodeAt(0))) {
        const ls = after.eq[0];
        after.eq = after.eq.slice(1);
        g.del += ls;
        g.ins += ls;
        changed = true;
      }
    }
    if (changed) {
      // Drop emptied equalities and merge the changes they separated.
      const merged = [];
      for (const g of groups) {
        if ('eq' in g && !g.eq) continue;
        const last = merged[merged.length - 1];
        if (last && !('eq' in last) && !('eq' in g)) {
          last.del += g.del;
          last.ins += g.ins;
        } else if (last && 'eq' in last && 'eq' in g) {
          last.eq += g.eq;
        } else {
          merged.push(g);
        }
      }
      groups = merged;
    }
  }

  /** @type {Diff[]} */
  const out = [];
  for (const g of groups) {
    if ('eq' in g) out.push(new Diff(DIFF_EQUAL, g.eq));
    else {
      if (g.del) out.push(new Diff(DIFF_DELETE, g.del));
      if (g.ins) out.push(new Diff(DIFF_INSERT, g.ins));
    }
  }
  return out;
}

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/g;
const PRIVATE_USE = /[\ue000-\uf8ff]/g;

/**
 * The two texts with each character outside the Basic Multilingual Plane
 * replaced by one private-use character that neither text contains, and the
 * way back; null when there is none to replace, or not enough free
 * private-use characters.
 *
 * @param {string} oldText
 * @param {string} newText
 * @returns {{oldText: string, newText: string, restore: (text: string) => string}|null}
 */
function astralAsSingleUnits(oldText, newText) {
  const taken = new Set((oldText + newText).match(PRIVATE_USE));
  const unitOf = new Map();
  const pairOf = new Map();
  let next = 0xe000;
  let full = false;
  const encode = (text) =>
    text.replace(SURROGATE_PAIR, (pair) => {
      let unit = unitOf.get(pair);
      if (unit === undefined) {
        while (next <= 0xf8ff && taken.has(String.fromCharCode(next))) next += 1;
        if (next > 0xf8ff) {
          full = true;
          return pair;
        }
        unit = String.fromCharCode(next);
        next += 1;
        unitOf.set(pair, unit);
        pairOf.set(unit, pair);
      }
      return unit;
    });
  const encodedOld = encode(oldText);
  const encodedNew = encode(newText);
  if (full || pairOf.size === 0) return null;
  return {
    oldText: encodedOld,
    newText: encodedNew,
    restore: (text) => text.replace(PRIVATE_USE, (unit) => pairOf.get(unit) ?? unit),
  };
}

/**
 * Diff two texts with the same clean-up as `patch_make` (semantic, then
 * efficiency), never splitting a surrogate pair.
 *
 * The diff runs on characters (code points), as the server's does: each
 * character outside the Basic Multilingual Plane counts as one, so a change
 * never starts inside one and two emoji sharing a high surrogate are told
 * apart without touching their neighbours. Offsets still count UTF-16 units.
 *
 * Used where only the two texts are known (making a patch between two
 * revisions, or reconciling with the server after a resynchronisation).
 * Local typing does not go through here: the session records the edits as
 * they are made, which no diff can recover exactly.
 *
 * @param {string} oldText
 * @param {string} newText
 * @returns {Diff[]}
 */
export function makeDiffs(oldText, newText) {
  const single = astralAsSingleUnits(oldText, newText);
  const diffs = single ? dmp.diff_main(single.oldText, single.newText, true) : dmp.diff_main(oldText, newText, true);
  if (diffs.length > 2) {
    dmp.diff_cleanupSemantic(diffs);
    dmp.diff_cleanupEfficiency(diffs);
  }
  if (single) for (const d of diffs) d[1] = single.restore(d[1]);
  return fixSurrogateBoundaries(diffs);
}

/**
 * Make diff-match-patch patch objects from the old text and its diffs.
 *
 * @param {string} oldText
 * @param {Diff[]} diffs diffs from {@link makeDiffs}
 * @returns {object[]} patch objects
 */
export function patchesFromDiffs(oldText, diffs) {
  return dmp.patch_make(oldText, diffs);
}

/**
 * Serialise patch objects as patch text (`patch_toText`).
 *
 * @param {object[]} patches
 * @returns {string}
 */
export function patchesToText(patches) {
  return dmp.patch_toText(patches);
}

/**
 * Patch text (diff-match-patch `patch_toText` format) turning `oldText` into
 * `newText`. Never splits a surrogate pair, so it never throws on emoji.
 *
 * @param {string} oldText
 * @param {string} newText
 * @returns {string} patch text; empty when the texts are equal
 */
export function makePatch(oldText, newText) {
  if (oldText === newText) return '';
  return patchesToText(patchesFromDiffs(oldText, makeDiffs(oldText, newText)));
}

/**
 * Parse patch text into hunks.
 *
 * @param {string} patchText
 * @returns {Hunk[]}
 * @throws {Error} when the patch text is malformed
 */
export function parsePatch(patchText) {
  if (typeof patchText !== 'string') throw new TypeError('patch must be a string');
  const patches = dmp.patch_fromText(patchText);
  return patches.map((p) => ({
    start1: p.start1,
    start2: p.start2,
    length1: p.length1,
    length2: p.length2,
    diffs: p.diffs.map((d) => /** @type {Diff} */ ([d[0], d[1]])),
  }));
}

/**
 * The old (op != insert) and new (op != delete) texts a hunk spells.
 *
 * @param {Diff[]} diffs
 * @returns {{before: string, after: string}}
 */
export function hunkTexts(diffs) {
  let before = '';
  let after = '';
  for (const [op, text] of diffs) {
    if (op !== DIFF_INSERT) before += text;
    if (op !== DIFF_DELETE) after += text;
  }
  return { before, after };
}

/**
 * Error thrown when a patch does not apply exactly.
 */
export class PatchError extends Error {
  /**
   * @param {string} message
   */
  constructor(message) {
    super(message);
    this.name = 'PatchError';
  }
}

/**
 * Apply patch text hunk by hunk, requiring each hunk's old text (context and
 * deletions) to sit exactly at its stated position. No fuzzy matching, and,
 * as on the server, no hunk may insert between the two halves of a surrogate
 * pair, nor may the patch text hold a lone surrogate.
 *
 * @param {string} text
 * @param {string} patchText
 * @returns {{text: string, hunks: Hunk[]}} the new text, and the parsed hunks
 * @throws {PatchError} unless every hunk applies exactly
 */
export function applyPatchDetailed(text, patchText) {
  let hunks;
  try {
    if (typeof patchText === 'string' && !isWellFormed(patchText)) throw new Error('unpaired surrogate');
    hunks = parsePatch(patchText);
  } catch (err) {
    throw new PatchError(`malformed patch: ${err.message}`);
  }
  let result = text;
  hunks.forEach((hunk, index) => {
    const { before, after } = hunkTexts(hunk.diffs);
    if (before.length !== hunk.length1 || after.length !== hunk.length2) {
      throw new PatchError(`hunk ${index + 1}: lengths do not match its header`);
    }
    const at = hunk.start2;
    if (at < 0 || at + before.length > result.length || result.substring(at, at + before.length) !== before) {
      throw new PatchError(`hunk ${index + 1} does not apply exactly at offset ${at}`);
    }
    if (!before && splitsPair(result, at)) throw new PatchError(`hunk ${index + 1} would split a surrogate pair`);
    result = result.substring(0, at) + after + result.substring(at + before.length);
  });
  return { text: result, hunks };
}

/**
 * Apply patch text exactly (see {@link applyPatchDetailed}).
 *
 * @param {string} text
 * @param {string} patchText
 * @returns {string}
 * @throws {PatchError} unless every hunk applies exactly
 */
export function applyPatchExact(text, patchText) {
  return applyPatchDetailed(text, patchText).text;
}
