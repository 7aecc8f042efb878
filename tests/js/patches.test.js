import { test } from 'node:test';
import assert from 'node:assert/strict';
import DiffMatchPatch from 'diff-match-patch';
import {
  applyPatchExact,
  fixSurrogateBoundaries,
  makeDiffs,
  makePatch,
  parsePatch,
  PatchError,
} from '../../static/js/drafting/patches.js';
import { normalizeText, toWellFormed, normalizeLineEndings } from '../../static/js/drafting/text.js';
import { makeRng, randomText, randomEdit } from './helpers/random.js';

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertWellFormedPatch(patchText) {
  for (const hunk of parsePatch(patchText)) {
    for (const [, text] of hunk.diffs) {
      assert.ok(!LONE.test(text), `hunk text ${JSON.stringify(text)} has a lone surrogate`);
    }
  }
}

test('the library itself throws on an emoji replaced by an emoji sharing its high surrogate', () => {
  const dmp = new DiffMatchPatch();
  assert.throws(() => dmp.patch_toText(dmp.patch_make('a😀b', 'a😃b')), /URI malformed/);
});

test('emoji replaced by emoji', () => {
  const cases = [
    ['😀', '😃'],
    ['a😀b', 'a😃b'],
    ['😀😀😀', '😀😃😀'],
    ['x 😀 y', 'x 😃 y'],
    ['Dear 😀 neighbours, 🙂', 'Dear 😃 neighbours, 😄'],
    ['𝒜𝒞', '𝒞𝒜'],
  ];
  for (const [a, b] of cases) {
    const patch = makePatch(a, b);
    assertWellFormedPatch(patch);
    assert.equal(applyPatchExact(a, patch), b, `${a} -> ${b}`);
  }
});

test('astral insertion and deletion, including at the edges', () => {
  const cases = [
    ['', '😀'],
    ['😀', ''],
    ['abc', 'a😀bc'],
    ['a😀bc', 'abc'],
    ['😀abc', 'abc'],
    ['abc😀', 'abc'],
    ['abc', '😀abc😃'],
    ['😀😃😄', '😀😄'],
    ['😀😃😄', '😀🙂😃😄'],
  ];
  for (const [a, b] of cases) {
    const patch = makePatch(a, b);
    assertWellFormedPatch(patch);
    assert.equal(applyPatchExact(a, patch), b, `${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
});

test('patch context never cuts a surrogate pair', () => {
  // The change is 4 code units after an emoji: the library's 4-unit context would start mid-pair.
  const a = '😀😀😀😀abcdefXghij😀😀😀😀';
  const b = '😀😀😀😀abcdefYghij😀😀😀😀';
  for (const [x, y] of [[a, b], ['😀abcX', '😀abcY'], ['Xabc😀', 'Yabc😀'], ['😃 x😀', '😃 y😀']]) {
    const patch = makePatch(x, y);
    assertWellFormedPatch(patch);
    assert.equal(applyPatchExact(x, patch), y);
  }
});

test('randomised: patches between texts full of surrogate pairs are valid and exact', () => {
  const rng = makeRng(1234);
  for (let i = 0; i < 1500; i += 1) {
    const a = randomText(rng, 40);
    const b = rng.chance(0.7) ? randomEdit(rng, a) : randomText(rng, 40);
    let patch;
    assert.doesNotThrow(() => {
      patch = makePatch(a, b);
    }, `makePatch(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    assertWellFormedPatch(patch);
    assert.equal(applyPatchExact(a, patch), b);
    const diffs = makeDiffs(a, b);
    assert.equal(diffs.filter((d) => d[0] !== 1).map((d) => d[1]).join(''), a);
    assert.equal(diffs.filter((d) => d[0] !== -1).map((d) => d[1]).join(''), b);
  }
});

test('randomised: long texts that make several hunks', () => {
  const rng = makeRng(99);
  const alphabet = ['lorem ', 'ipsum ', '😀', '😃', 'dolor\n', 'x', '🙂 '];
  for (let i = 0; i < 200; i += 1) {
    const a = randomText(rng, 120, alphabet);
    let b = a;
    for (let k = 0; k < 5; k += 1) b = randomEdit(rng, b, 2);
    const patch = makePatch(a, b);
    assertWellFormedPatch(patch);
    assert.equal(applyPatchExact(a, patch), b);
  }
});

test('fixSurrogateBoundaries keeps both texts', () => {
  const diffs = [[0, 'a\uD83D'], [-1, '\uDE00'], [1, '\uDE03'], [0, 'b']];
  const fixed = fixSurrogateBoundaries(diffs);
  assert.deepEqual(fixed.map((d) => [d[0], d[1]]), [[0, 'a'], [-1, '😀'], [1, '😃'], [0, 'b']]);
});

test('the diff counts characters, as the server does: a neighbour sharing a high surrogate is not touched', () => {
  // 𝐁 and 𝐂 (U+1D401, U+1D402) share their high surrogate: a diff of code units would delete 𝐁𝐂
  // and insert 𝐂 again, where the server's diff deletes 𝐁 alone.
  assert.deepEqual(makeDiffs('𝐀𝐁𝐂 = abc', '𝐀𝐂 = abc').map((d) => [d[0], d[1]]), [[0, '𝐀'], [-1, '𝐁'], [0, '𝐂 = abc']]);
  assert.equal(makePatch('𝐀𝐁𝐂', '𝐀𝐂'), '@@ -1,6 +1,4 @@\n %F0%9D%90%80\n-%F0%9D%90%81\n %F0%9D%90%82\n');
  // Private-use characters already in the text stay themselves.
  const withPrivate = makeDiffs('\ue000😀\ue001', '\ue000😃\ue001');
  assert.deepEqual(withPrivate.map((d) => [d[0], d[1]]), [[0, '\ue000'], [-1, '😀'], [1, '😃'], [0, '\ue001']]);
});

test('applyPatchExact refuses, as the server does, an insert inside a surrogate pair and a lone surrogate', () => {
  assert.throws(() => applyPatchExact('😀', '@@ -1,0 +2,1 @@\n+X\n'), PatchError);
  assert.throws(() => applyPatchExact('abc', '@@ -1,3 +1,4 @@\n abc\n+\ud83d\n'), PatchError);
  assert.equal(applyPatchExact('😀', '@@ -2,0 +3,1 @@\n+X\n'), '😀X');
});

test('applyPatchExact refuses a patch that would only apply fuzzily', () => {
  const a = 'Dear council, we ask for a bus stop on Main Street.';
  const b = 'Dear council, we ask for two bus stops on Main Street.';
  const patch = makePatch(a, b);
  assert.equal(applyPatchExact(a, patch), b);
  // The library applies it to a shifted text; we must not.
  const shifted = `Hello. ${a}`;
  const dmp = new DiffMatchPatch();
  const [fuzzy, ok] = dmp.patch_apply(dmp.patch_fromText(patch), shifted);
  assert.ok(ok.every(Boolean));
  assert.equal(fuzzy, `Hello. ${b}`);
  assert.throws(() => applyPatchExact(shifted, patch), PatchError);
  // A changed context is refused too.
  const context = parsePatch(patch)[0].diffs[0][1];
  assert.ok(context.length > 0);
  assert.throws(() => applyPatchExact(a.replace(context, context.toUpperCase() + '!'), patch), PatchError);
  // The already-patched text is refused.
  assert.throws(() => applyPatchExact(b, patch), PatchError);
});

test('applyPatchExact: every hunk must apply, or nothing does', () => {
  const a = `${'first paragraph. '.repeat(5)}\n${'second paragraph. '.repeat(5)}`;
  const b = a.replace('first', 'FIRST').replace(/second paragraph\. $/, 'second paragraph!');
  const patch = makePatch(a, b);
  assert.ok(parsePatch(patch).length >= 2);
  assert.equal(applyPatchExact(a, patch), b);
  const broken = a.replace(/second paragraph\. $/, 'changed ending. ');
  assert.throws(() => applyPatchExact(broken, patch), PatchError);
});

test('applyPatchExact rejects malformed patch text and accepts the empty patch', () => {
  assert.equal(applyPatchExact('abc', ''), 'abc');
  assert.throws(() => applyPatchExact('abc', 'not a patch'), PatchError);
  assert.throws(() => applyPatchExact('abc', '@@ -1,3 +1,3 @@\n abc\n+%E0%A4%A\n'), PatchError);
  // Header lengths that do not match the body.
  assert.throws(() => applyPatchExact('abc', '@@ -1,2 +1,3 @@\n a\n+x\n bc\n'), PatchError);
});

test('text normalisation', () => {
  assert.equal(normalizeLineEndings('a\r\nb\rc\n'), 'a\nb\nc\n');
  assert.equal(toWellFormed('a\uD83Db'), 'a\uFFFDb');
  assert.equal(toWellFormed('😀'), '😀');
  assert.equal(normalizeText('x\r\n\uDE00'), 'x\n\uFFFD');
});
