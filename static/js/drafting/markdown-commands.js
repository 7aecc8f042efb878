/**
 * Markdown formatting commands for the drafting editor's toolbar and
 * shortcuts: bold (Mod-b), italic (Mod-i), link (Mod-k), heading, list and
 * quote. Each is a CodeMirror state command (`{state, dispatch}`), free of
 * the DOM.
 *
 * @module drafting/markdown-commands
 */
import { EditorSelection } from '@codemirror/state';

/**
 * Wrap each selection in `mark` (or unwrap it if it is already wrapped); an
 * empty selection gets an empty pair with the caret inside.
 *
 * @param {string} mark
 * @returns {(target: {state: any, dispatch: Function}) => boolean}
 */
export function toggleWrap(mark) {
  return ({ state, dispatch }) => {
    if (state.readOnly) return false;
    const n = mark.length;
    const tr = state.changeByRange((range) => {
      const before = state.doc.sliceString(range.from - n, range.from);
      const after = state.doc.sliceString(range.to, range.to + n);
      if (before === mark && after === mark) {
        return {
          changes: [
            { from: range.from - n, to: range.from },
            { from: range.to, to: range.to + n },
          ],
          range: EditorSelection.range(range.from - n, range.to - n),
        };
      }
      return {
        changes: [
          { from: range.from, insert: mark },
          { from: range.to, insert: mark },
        ],
        range: EditorSelection.range(range.from + n, range.to + n),
      };
    });
    dispatch(state.update(tr, { scrollIntoView: true, userEvent: 'input.format' }));
    return true;
  };
}

/**
 * Toggle a prefix at the start of every line the selection touches
 * (`## `, `- `, `> `): added to every line unless all have it, then removed.
 *
 * @param {string} prefix
 * @returns {(target: {state: any, dispatch: Function}) => boolean}
 */
export function toggleLinePrefix(prefix) {
  return ({ state, dispatch }) => {
    if (state.readOnly) return false;
    const lines = new Map();
    for (const range of state.selection.ranges) {
      for (let pos = range.from; pos <= range.to; ) {
        const line = state.doc.lineAt(pos);
        lines.set(line.number, line);
        pos = line.to + 1;
      }
    }
    const all = [...lines.values()];
    const remove = all.every((line) => line.text.startsWith(prefix));
    const changes = all.map((line) =>
      remove ? { from: line.from, to: line.from + prefix.length } : { from: line.from, insert: prefix },
    );
    dispatch(state.update({ changes, scrollIntoView: true, userEvent: 'input.format' }));
    return true;
  };
}

/**
 * Make the selection a link: `[selection](https://)` with the address
 * selected, ready to be typed over; a selection that is an address becomes
 * `[](address)` with the caret in the brackets.
 *
 * @param {{state: any, dispatch: Function}} target
 * @returns {boolean}
 */
export function insertLink({ state, dispatch }) {
  if (state.readOnly) return false;
  const tr = state.changeByRange((range) => {
    const text = state.doc.sliceString(range.from, range.to);
    if (/^https?:\/\/\S+$/.test(text)) {
      return { changes: { from: range.from, to: range.to, insert: `[](${text})` }, range: EditorSelection.cursor(range.from + 1) };
    }
    const url = 'https://';
    const insert = `[${text}](${url})`;
    const start = range.from + text.length + 3;
    return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.range(start, start + url.length) };
  });
  dispatch(state.update(tr, { scrollIntoView: true, userEvent: 'input.format' }));
  return true;
}

/** The toolbar's commands by name. */
export const FORMAT_COMMANDS = {
  bold: toggleWrap('**'),
  italic: toggleWrap('_'),
  heading: toggleLinePrefix('## '),
  list: toggleLinePrefix('- '),
  quote: toggleLinePrefix('> '),
  link: insertLink,
};

/** Keyboard shortcuts (CodeMirror key names; Mod is Ctrl, or Cmd on a Mac). */
export const FORMAT_KEYS = [
  { key: 'Mod-b', run: FORMAT_COMMANDS.bold },
  { key: 'Mod-i', run: FORMAT_COMMANDS.italic },
  { key: 'Mod-k', run: FORMAT_COMMANDS.link },
];
