import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codePointOffset, debounce, fillTemplate } from '../../static/js/review/util.js';

test('codePointOffset counts an emoji outside the BMP as one character', () => {
  const text = 'a😀b👍🏽c';
  assert.equal(codePointOffset(text, 0), 0);
  assert.equal(codePointOffset(text, 1), 1);
  assert.equal(codePointOffset(text, 3), 2); // after the emoji (two UTF-16 units)
  assert.equal(codePointOffset(text, 4), 3);
  assert.equal(codePointOffset(text, text.length), Array.from(text).length);
  // An offset inside a pair counts the whole character.
  assert.equal(codePointOffset(text, 2), 2);
});

test('codePointOffset matches Array.from on random texts', () => {
  const pieces = ['a', 'é', '中', '😀', '\n', ' '];
  for (let round = 0; round < 200; round++) {
    let text = '';
    for (let i = 0; i < 20; i++) text += pieces[(round * 7 + i * 13) % pieces.length];
    for (let cut = 0; cut <= text.length; cut++) {
      const prefix = text.slice(0, cut);
      const last = prefix.charCodeAt(prefix.length - 1);
      const splitsPair = last >= 0xd800 && last <= 0xdbff;
      const expected = Array.from(splitsPair ? text.slice(0, cut + 1) : prefix).length;
      assert.equal(codePointOffset(text, cut), expected);
    }
  }
});

test('fillTemplate replaces known placeholders only', () => {
  assert.equal(fillTemplate('Selected {start} to {end} of {n}.', { start: 3, end: 9 }), 'Selected 3 to 9 of {n}.');
});

test('debounce calls once with the last arguments', async () => {
  const calls = [];
  const fn = debounce((x) => calls.push(x), 10);
  fn(1);
  fn(2);
  fn(3);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(calls, [3]);
});

import { Announcer, refreshUrl } from '../../static/js/review/live.js';

test('refreshUrl keeps the page address and adds only the pins it does not give', () => {
  assert.equal(
    refreshUrl('http://x.test/drafts/1/review?page=2#approve-form', ['approve=7', 'page=9', 'bad', '=1']),
    'http://x.test/drafts/1/review?page=2&approve=7',
  );
  assert.equal(refreshUrl('http://x.test/h?revision=3', ['revision=5']), 'http://x.test/h?revision=3');
});

test('Announcer says at most one thing per interval, counting from what it last said', () => {
  const announcer = new Announcer(1000, 's0');
  assert.equal(announcer.due(0), '');
  announcer.offer('2 new revisions by Ada.', 's1');
  assert.equal(announcer.due(10), '2 new revisions by Ada.');
  assert.equal(announcer.since, 's1');
  announcer.offer('1 new revision by Bo.', 's2'); // since s1
  announcer.offer('3 new revisions by Bo.', 's3'); // since s1 too: replaces the one before
  assert.equal(announcer.due(500), ''); // too soon
  assert.equal(announcer.since, 's1');
  assert.equal(announcer.due(1010), '3 new revisions by Bo.');
  assert.equal(announcer.since, 's3');
  assert.equal(announcer.due(5000), ''); // nothing new
  announcer.offer('', 's4'); // nothing to say keeps the count where it was
  assert.equal(announcer.since, 's3');
});
