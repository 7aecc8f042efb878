/**
 * Text operations: sequences of retain / insert / delete components that
 * cover a whole base text, with apply, compose and transform.
 *
 * Tie-breaking rule, the same as the server's: when two concurrent operations
 * insert at the same position, the one committed first on the server (the
 * remote one, `b` in {@link transform}) goes first. Concurrent inserts never
 * interleave, and a deletion never removes text it did not see.
 *
 * @module drafting/operations
 */
import {
  DIFF_DELETE,
  DIFF_EQUAL,
  DIFF_INSERT,
  applyPatchDetailed,
  fixSurrogateBoundaries,
  makeDiffs,
  patchesFromDiffs,
  patchesToText,
} from './patches.js';
import { isHighSurrogate, isLowSurrogate } from './text.js';

/**
 * One component: keep n code units, insert a string, or delete n code units.
 * @typedef {{retain: number}|{insert: string}|{delete: number}} Op
 */

/**
 * Append a component to an operation, merging it with the last one when they
 * are of the same kind. Empty components are dropped.
 *
 * @param {Op[]} ops
 * @param {Op} op
 * @returns {Op[]} the same array
 */
export function push(ops, op) {
  const last = ops[ops.length - 1];
  if ('retain' in op) {
    if (op.retain <= 0) return ops;
    if (last && 'retain' in last) last.retain += op.retain;
    else ops.push({ retain: op.retain });
  } else if ('insert' in op) {
    if (!op.insert) return ops;
    if (last && 'insert' in last) last.insert += op.insert;
    else if (last && 'delete' in last) {
      // Keep a canonical order: insert before delete at the same position.
      const prev = ops[ops.length - 2];
      if (prev && 'insert' in prev) prev.insert += op.insert;
      else ops.splice(ops.length - 1, 0, { insert: op.insert });
    } else ops.push({ insert: op.insert });
  } else if ('delete' in op) {
    if (op.delete <= 0) return ops;
    if (last && 'delete' in last) last.delete += op.delete;
    else ops.push({ delete: op.delete });
  }
  return ops;
}

/**
 * Length of the text an operation applies to.
 *
 * @param {Op[]} ops
 * @returns {number}
 */
export function baseLength(ops) {
  let n = 0;
  for (const op of ops) {
    if ('retain' in op) n += op.retain;
    else if ('delete' in op) n += op.delete;
  }
  return n;
}

/**
 * Length of the text an operation produces.
 *
 * @param {Op[]} ops
 * @returns {number}
 */
export function targetLength(ops) {
  let n = 0;
  for (const op of ops) {
    if ('retain' in op) n += op.retain;
    else if ('insert' in op) n += op.insert.length;
  }
  return n;
}

/**
 * Whether an operation changes nothing.
 *
 * @param {Op[]} ops
 * @returns {boolean}
 */
export function isNoop(ops) {
  return ops.every((op) => 'retain' in op);
}

/**
 * The identity operation on a text of the given length.
 *
 * @param {number} length
 * @returns {Op[]}
 */
export function identity(length) {
  return push([], { retain: length });
}

/**
 * Operation from diff-match-patch tuples.
 *
 * @param {Array<[number, string]>} diffs
 * @returns {Op[]}
 */
export function fromDiffs(diffs) {
  const ops = [];
  for (const d of diffs) {
    const op = d[0];
    const text = d[1];
    if (op === DIFF_EQUAL) push(ops, { retain: text.length });
    else if (op === DIFF_DELETE) push(ops, { delete: text.length });
    else if (op === DIFF_INSERT) push(ops, { insert: text });
  }
  return ops;
}

/**
 * Operation turning `oldText` into `newText` (a surrogate-safe diff).
 *
 * @param {string} oldText
 * @param {string} newText
 * @returns {Op[]}
 */
export function diffOps(oldText, newText) {
  if (oldText === newText) return identity(oldText.length);
  return fromDiffs(makeDiffs(oldText, newText));
}

/**
 * The operation replacing one contiguous range, found from the common prefix
 * and suffix of the two texts: what a single edit in a textarea (a keystroke,
 * a paste, a cut) does. Never splits a surrogate pair.
 *
 * @param {string} oldText
 * @param {string} newText
 * @returns {Op[]}
 */
export function replaceOps(oldText, newText) {
  if (oldText === newText) return identity(oldText.length);
  const max = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix += 1;
  if (prefix > 0 && isHighSurrogate(oldText.charCodeAt(prefix - 1))) prefix -= 1;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  if (suffix > 0 && isLowSurrogate(oldText.charCodeAt(oldText.length - suffix))) suffix -= 1;
  const ops = [];
  push(ops, { retain: prefix });
  push(ops, { insert: newText.slice(prefix, newText.length - suffix) });
  push(ops, { delete: oldText.length - prefix - suffix });
  push(ops, { retain: suffix });
  return ops;
}

/**
 * diff-match-patch tuples for an operation on a text, with no diff boundary
 * inside a surrogate pair.
 *
 * @param {string} text the operation's base text
 * @param {Op[]} ops
 * @returns {Array<[number, string]>}
 */
export function toDiffs(text, ops) {
  if (baseLength(ops) !== text.length) throw new Error('operation does not fit the text');
  const diffs = [];
  let pos = 0;
  for (const op of ops) {
    if ('retain' in op) {
      diffs.push([DIFF_EQUAL, text.slice(pos, pos + op.retain)]);
      pos += op.retain;
    } else if ('delete' in op) {
      diffs.push([DIFF_DELETE, text.slice(pos, pos + op.delete)]);
      pos += op.delete;
    } else {
      diffs.push([DIFF_INSERT, op.insert]);
    }
  }
  return fixSurrogateBoundaries(diffs);
}

/**
 * Patch text performing exactly this operation on `text` (no diff involved,
 * so the hunks say precisely what was inserted and deleted where).
 *
 * @param {string} text the operation's base text
 * @param {Op[]} ops
 * @returns {string}
 */
export function patchFromOps(text, ops) {
  if (isNoop(ops)) return '';
  return patchesToText(patchesFromDiffs(text, toDiffs(text, ops)));
}

/**
 * Apply an operation to a text.
 *
 * @param {string} text
 * @param {Op[]} ops
 * @returns {string}
 * @throws {Error} when the operation does not fit the text
 */
export function apply(text, ops) {
  if (baseLength(ops) !== text.length) {
    throw new Error(`operation of base length ${baseLength(ops)} applied to a text of length ${text.length}`);
  }
  const parts = [];
  let pos = 0;
  for (const op of ops) {
    if ('retain' in op) {
      parts.push(text.slice(pos, pos + op.retain));
      pos += op.retain;
    } else if ('insert' in op) {
      parts.push(op.insert);
    } else {
      pos += op.delete;
    }
  }
  return parts.join('');
}

/**
 * Iterates the components of an operation, letting callers take parts of a
 * retain or delete.
 */
class Cursor {
  /** @param {Op[]} ops */
  constructor(ops) {
    this.ops = ops;
    this.index = 0;
    this.offset = 0;
  }

  /** @returns {Op|null} the rest of the current component */
  peek() {
    const op = this.ops[this.index];
    if (!op) return null;
    if ('retain' in op) return { retain: op.retain - this.offset };
    if ('delete' in op) return { delete: op.delete - this.offset };
    return { insert: op.insert.slice(this.offset) };
  }

  /**
   * Take up to n code units of the current component (all of it if n is
   * undefined).
   * @param {number} [n]
   * @returns {Op}
   */
  take(n) {
    const rest = this.peek();
    const len = 'retain' in rest ? rest.retain : 'delete' in rest ? rest.delete : rest.insert.length;
    const k = n === undefined ? len : Math.min(n, len);
    let part;
    if ('retain' in rest) part = { retain: k };
    else if ('delete' in rest) part = { delete: k };
    else part = { insert: rest.insert.slice(0, k) };
    if (k >= len) {
      this.index += 1;
      this.offset = 0;
    } else {
      this.offset += k;
    }
    return part;
  }
}

/**
 * Length of a retain or delete component.
 * @param {Op} op
 * @returns {number}
 */
function span(op) {
  return 'retain' in op ? op.retain : 'delete' in op ? op.delete : op.insert.length;
}

/**
 * Transform two concurrent operations on the same text.
 *
 * Returns `[a2, b2]` with apply(apply(s, a), b2) === apply(apply(s, b), a2).
 * `b` is the operation committed first (the remote / server one): where both
 * insert at the same position, b's text comes first. Text that `b` inserted
 * inside a range that `a` deletes is kept.
 *
 * @param {Op[]} a the local (later) operation
 * @param {Op[]} b the remote (earlier committed) operation
 * @returns {[Op[], Op[]]}
 */
export function transform(a, b) {
  if (baseLength(a) !== baseLength(b)) {
    throw new Error('transform: operations have different base lengths');
  }
  const a2 = [];
  const b2 = [];
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  for (;;) {
    const opA = ca.peek();
    const opB = cb.peek();
    if (!opA && !opB) break;
    if (opB && 'insert' in opB) {
      const ins = cb.take();
      push(b2, ins);
      push(a2, { retain: ins.insert.length });
      continue;
    }
    if (opA && 'insert' in opA) {
      const ins = ca.take();
      push(a2, ins);
      push(b2, { retain: ins.insert.length });
      continue;
    }
    if (!opA || !opB) throw new Error('transform: operations have different base lengths');
    const n = Math.min(span(opA), span(opB));
    const x = ca.take(n);
    const y = cb.take(n);
    if ('retain' in x && 'retain' in y) {
      push(a2, { retain: n });
      push(b2, { retain: n });
    } else if ('delete' in x && 'retain' in y) {
      push(a2, { delete: n });
    } else if ('retain' in x && 'delete' in y) {
      push(b2, { delete: n });
    }
    // delete / delete: both removed the same text; nothing to do.
  }
  return [a2, b2];
}

/**
 * Compose two consecutive operations into one: apply(s, compose(a, b)) ===
 * apply(apply(s, a), b).
 *
 * @param {Op[]} a
 * @param {Op[]} b
 * @returns {Op[]}
 */
export function compose(a, b) {
  if (targetLength(a) !== baseLength(b)) {
    throw new Error('compose: the second operation does not fit the result of the first');
  }
  const out = [];
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  for (;;) {
    const opA = ca.peek();
    const opB = cb.peek();
    if (!opA && !opB) break;
    if (opA && 'delete' in opA) {
      push(out, ca.take());
      continue;
    }
    if (opB && 'insert' in opB) {
      push(out, cb.take());
      continue;
    }
    if (!opA || !opB) throw new Error('compose: length mismatch');
    const n = Math.min(span(opA), span(opB));
    const x = ca.take(n);
    const y = cb.take(n);
    if ('retain' in x && 'retain' in y) push(out, { retain: n });
    else if ('insert' in x && 'retain' in y) push(out, x);
    else if ('retain' in x && 'delete' in y) push(out, { delete: n });
    // insert then delete: cancels out.
  }
  return out;
}

/**
 * Map an offset in the base text to the corresponding offset in the result.
 *
 * @param {number} index offset in the base text
 * @param {Op[]} ops
 * @param {boolean} [afterInsert=true] whether an insertion exactly at the
 *   offset pushes it along (true) or leaves it before the inserted text
 * @returns {number}
 */
export function transformIndex(index, ops, afterInsert = true) {
  let base = 0;
  let shift = 0;
  for (const op of ops) {
    if (base > index) break;
    if ('insert' in op) {
      if (base < index || (base === index && afterInsert)) shift += op.insert.length;
    } else if ('retain' in op) {
      base += op.retain;
    } else {
      if (base < index) shift -= Math.min(op.delete, index - base);
      base += op.delete;
    }
  }
  return index + shift;
}

/**
 * Apply patch text exactly and return the operation it performed.
 *
 * @param {string} text the text the patch was made for
 * @param {string} patchText diff-match-patch patch text
 * @returns {{text: string, ops: Op[]}}
 * @throws {import('./patches.js').PatchError} unless every hunk applies exactly
 */
export function opsFromPatch(text, patchText) {
  const { text: result, hunks } = applyPatchDetailed(text, patchText);
  let ops = identity(text.length);
  let current = text.length;
  for (const hunk of hunks) {
    const hunkOps = [];
    push(hunkOps, { retain: hunk.start2 });
    for (const [op, t] of hunk.diffs) {
      if (op === DIFF_EQUAL) push(hunkOps, { retain: t.length });
      else if (op === DIFF_DELETE) push(hunkOps, { delete: t.length });
      else push(hunkOps, { insert: t });
    }
    push(hunkOps, { retain: current - hunk.start2 - hunk.length1 });
    ops = compose(ops, hunkOps);
    current = targetLength(ops);
  }
  return { text: result, ops };
}
