import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CursorTracker, contrastText, userColor } from '../../static/js/drafting/presence.js';
import { diffOps } from '../../static/js/drafting/operations.js';
import { createPreview, renderMarkdown } from '../../static/js/drafting/preview.js';

function fakeSession(shadow, text, revision) {
  const ops = diffOps(shadow, text);
  return {
    revision,
    text,
    shadowToLocal: (i) => {
      // insertion at i pushes a remote caret along only if it is before it
      let base = 0;
      let shift = 0;
      for (const op of ops) {
        if (base > i) break;
        if ('insert' in op) {
          if (base < i) shift += op.insert.length;
        } else if ('retain' in op) base += op.retain;
        else {
          if (base < i) shift -= Math.min(op.delete, i - base);
          base += op.delete;
        }
      }
      return i + shift;
    },
  };
}

test('cursor tracker: ignores itself, follows revisions and local changes', () => {
  const t = new CursorTracker({ selfId: 1 });
  t.setUsers([
    { id: 1, name: 'Me', color: '#123456' },
    { id: 2, name: 'Ada', color: '#ff0000' },
  ]);
  assert.equal(t.receive({ user: { id: 1, name: 'Me' }, revision: 0, start: 1, end: 1 }), false);
  assert.equal(t.receive({ user: { id: 2, name: 'Ada' }, revision: 0, start: 4, end: 6 }, 0), true);
  // Revision 1 inserts 3 characters at the start.
  t.onRevision({ revision: 1, ops: diffOps('hello world', 'Oh hello world') });
  const [c] = t.positions(fakeSession('Oh hello world', 'Oh hello world', 1));
  assert.deepEqual([c.start, c.end], [7, 9]);
  // Our own unsent typing before the selection moves it too.
  const [d] = t.positions(fakeSession('Oh hello world', 'Oh! hello world', 1));
  assert.deepEqual([d.start, d.end], [8, 10]);
  // A cursor sent at an older revision is caught up through the history.
  t.receive({ user: { id: 2, name: 'Ada' }, revision: 0, start: 0, end: 0 }, 1);
  assert.deepEqual(t.positions(fakeSession('Oh hello world', 'Oh hello world', 1)).map((x) => x.start), [3]);
  // Leaving removes the cursor; a null position hides it.
  t.receive({ user: { id: 2, name: 'Ada' }, revision: 1, start: null, end: null }, 1);
  assert.equal(t.cursors.size, 0);
  t.receive({ user: { id: 2, name: 'Ada' }, revision: 1, start: 2, end: 2 }, 1);
  t.setUsers([{ id: 1, name: 'Me' }]);
  assert.equal(t.cursors.size, 0);
});

test('colours are validated and readable', () => {
  assert.equal(userColor({ id: 1, color: '#abcdef' }), '#abcdef');
  assert.match(userColor({ id: 1, color: 'red;background:url(x)' }), /^#[0-9a-f]{6}$/);
  assert.equal(contrastText('#ffffff'), '#000');
  assert.equal(contrastText('#000000'), '#fff');
});

test('markdown rendering never passes raw HTML or script links through', () => {
  const html = renderMarkdown('# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**');
  assert.match(html, /<h1>Title<\/h1>/);
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;'));
  assert.ok(!/href="javascript:/i.test(html));
  assert.match(html, /<strong>bold<\/strong>/);
});

test('preview is debounced and sanitised', () => {
  const el = { innerHTML: '' };
  const pending = [];
  const timers = { setTimeout: (fn) => (pending.push(fn), pending.length), clearTimeout() {} };
  const seen = [];
  const preview = createPreview(el, { timers, sanitize: (h) => (seen.push(h), `clean:${h}`) });
  preview.update('a');
  preview.update('*b*');
  assert.equal(el.innerHTML, '');
  pending.shift()();
  assert.equal(el.innerHTML, 'clean:<p><em>b</em></p>\n');
  assert.equal(seen.length, 1);
});
