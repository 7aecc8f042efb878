/**
 * Co-authors' carets and selections as CodeMirror decorations that never
 * cover text: a caret is a zero-width bar between two characters, a
 * selection a light tint behind the characters, and the co-author's name
 * stands in a gutter beside the line (never over the line above, as the old
 * overlay's label did).
 *
 * Colours come from the server (`presence`), and are applied through a
 * constructed style sheet and CSSOM (the site's Content-Security-Policy has
 * no inline styles).
 *
 * @module drafting/cursors
 */
import { RangeSet, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, WidgetType, gutter } from '@codemirror/view';
import { userColor } from './presence.js';

/** Replace the co-authors' cursors: `[{user, start, end}]` in document offsets. */
export const setRemoteCursors = StateEffect.define();

/** A CSS class name for a user id. */
export function userClass(user) {
  return `cm-remote-u-${String(user.id).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

const sheets = new WeakMap();

/** Make sure the user's colour class (setting `--presence-color`) exists in the document. */
export function ensureUserColor(doc, user) {
  let entry = sheets.get(doc);
  if (!entry) {
    if (typeof CSSStyleSheet !== 'function' || !('adoptedStyleSheets' in doc)) return;
    entry = { sheet: new CSSStyleSheet(), seen: new Map() };
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, entry.sheet];
    sheets.set(doc, entry);
  }
  const cls = userClass(user);
  const color = userColor(user);
  if (entry.seen.get(cls) === color) return;
  entry.seen.set(cls, color);
  entry.sheet.insertRule(`.${cls} { --presence-color: ${color}; }`, entry.sheet.cssRules.length);
}

class CaretWidget extends WidgetType {
  constructor(user) {
    super();
    this.user = user;
  }

  eq(other) {
    return other.user.id === this.user.id && other.user.name === this.user.name;
  }

  toDOM(view) {
    ensureUserColor(view.dom.ownerDocument, this.user);
    const span = view.dom.ownerDocument.createElement('span');
    span.className = `cm-remote-caret ${userClass(this.user)}`;
    span.setAttribute('aria-hidden', 'true');
    span.title = String(this.user.name ?? '');
    return span;
  }

  ignoreEvent() {
    return true;
  }
}

class NameMarker extends GutterMarker {
  constructor(users) {
    super();
    this.users = users;
  }

  eq(other) {
    return other.users.map((u) => u.name).join('\n') === this.users.map((u) => u.name).join('\n');
  }

  toDOM(view) {
    const doc = view.dom.ownerDocument;
    const wrap = doc.createElement('span');
    wrap.setAttribute('aria-hidden', 'true');
    for (const user of this.users) {
      ensureUserColor(doc, user);
      const label = doc.createElement('span');
      label.className = `cm-remote-name ${userClass(user)}`;
      label.textContent = String(user.name ?? '');
      label.title = String(user.name ?? '');
      wrap.append(label);
    }
    return wrap;
  }
}

function build(state, cursors) {
  const length = state.doc.length;
  const marks = [];
  const byLine = new Map();
  for (const c of cursors) {
    const start = Math.max(0, Math.min(c.start, length));
    const end = Math.max(start, Math.min(c.end, length));
    const cls = userClass(c.user);
    if (end > start) marks.push(Decoration.mark({ class: `cm-remote-selection ${cls}` }).range(start, end));
    marks.push(Decoration.widget({ widget: new CaretWidget(c.user), side: 1 }).range(end));
    const line = state.doc.lineAt(end).from;
    if (!byLine.has(line)) byLine.set(line, []);
    byLine.get(line).push(c.user);
  }
  const names = [...byLine.entries()].map(([from, users]) => new NameMarker(users).range(from));
  return {
    cursors,
    decorations: Decoration.set(marks, true),
    names: RangeSet.of(names, true),
  };
}

const cursorField = StateField.define({
  create: (state) => build(state, []),
  update(value, tr) {
    let cursors = value.cursors;
    let changed = false;
    for (const e of tr.effects) {
      if (e.is(setRemoteCursors)) {
        cursors = e.value;
        changed = true;
      }
    }
    if (!changed && tr.docChanged) {
      cursors = cursors.map((c) => ({
        user: c.user,
        start: tr.changes.mapPos(c.start, 1),
        end: tr.changes.mapPos(c.end, 1),
      }));
      changed = true;
    }
    return changed ? build(tr.state, cursors) : value;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.decorations),
});

/** The extension: decorations plus the names gutter. */
export function remoteCursors() {
  return [
    cursorField,
    gutter({
      class: 'cm-remote-names',
      markers: (view) => view.state.field(cursorField).names,
    }),
  ];
}
