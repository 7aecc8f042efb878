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
