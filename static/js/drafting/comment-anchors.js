/**
 * The passages comments are anchored to, highlighted in the editor: a mark
 * decoration per open comment thread, carried through every change to the
 * text (a co-author's or one's own) the way the server carries anchors (text
 * typed at a passage's start goes before it, at its end after it; a passage
 * whose text is all deleted is dropped). And where each comment goes in the
 * margin beside it.
 *
 * @module drafting/comment-anchors
 */
import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView } from '@codemirror/view';

/** Replace the anchors: `[{id, from, to}]` in document offsets. */
export const setCommentAnchors = StateEffect.define();

/** Mark one thread's passage as the one being read (`id`), or none (`null`). */
export const setActiveComment = StateEffect.define();

function marks(ranges, active) {
  return Decoration.set(
    ranges
      .filter((r) => r.to > r.from)
      .map((r) =>
        Decoration.mark({
          class: r.id === active ? 'cm-comment-anchor cm-comment-anchor-active' : 'cm-comment-anchor',
          attributes: { 'data-comment-id': String(r.id) },
          commentId: r.id,
        }).range(r.from, r.to),
      ),
    true,
  );
}

/**
 * The anchors in a decoration set, by thread id: `Map<id, {from, to}>`.
 *
 * @param {import('@codemirror/view').DecorationSet} set
 * @returns {Map<any, {from: number, to: number}>}
 */
export function anchorRanges(set) {
  const out = new Map();
  const cursor = set.iter();
  while (cursor.value) {
    out.set(cursor.value.spec.commentId, { from: cursor.from, to: cursor.to });
    cursor.next();
  }
  return out;
}

/** The editor state field: `{set: DecorationSet, active}`. */
export const commentAnchors = StateField.define({
  create: () => ({ set: Decoration.none, active: null }),
  update(value, tr) {
    let { set, active } = value;
    if (tr.docChanged) set = set.map(tr.changes);
    let rebuild = null;
    for (const e of tr.effects) {
      if (e.is(setCommentAnchors)) rebuild = e.value;
      else if (e.is(setActiveComment)) {
        active = e.value;
        if (rebuild === null) rebuild = [...anchorRanges(set)].map(([id, r]) => ({ id, ...r }));
      }
    }
    if (rebuild !== null) set = marks(rebuild, active);
    return set === value.set && active === value.active ? value : { set, active };
  },
  provide: (f) => EditorView.decorations.from(f, (value) => value.set),
});

/**
 * Where each box goes in the margin: as near its wanted height as it can
 * without covering the one above it. Boxes are taken in order of their wanted
 * height (those without one, `null`, last, one after the other).
 *
 * @param {Array<{key: any, want: number|null, height: number}>} boxes
 * @param {number} [gap] space between two boxes
 * @returns {Map<any, number>} each box's top
 */
export function stackBoxes(boxes, gap = 8) {
  const order = boxes
    .map((box, i) => ({ ...box, i }))
    .sort((a, b) => (a.want ?? Infinity) - (b.want ?? Infinity) || a.i - b.i);
  const tops = new Map();
  let bottom = -Infinity;
  for (const box of order) {
    const top = Math.max(box.want ?? bottom + gap, bottom + gap, 0);
    tops.set(box.key, top);
    bottom = top + box.height;
  }
  return tops;
}
