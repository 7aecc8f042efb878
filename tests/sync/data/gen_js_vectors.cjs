// Generates dmp_js_1_0_5_vectors.json with the JavaScript diff-match-patch 1.0.5.
// Not run by the tests. Usage (outside the repository):
//   mkdir /tmp/dmpjs && cd /tmp/dmpjs && npm install diff-match-patch@1.0.5
//   NODE_PATH=/tmp/dmpjs/node_modules node gen_js_vectors.cjs > dmp_js_1_0_5_vectors.json
'use strict';
const DMP = require('diff-match-patch');
const dmp = new DMP();

const lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n' +
  'Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\n' +
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.\n';

// [name, text1, text2, optional explicit diffs (for cases where the JS
// diff itself would split a surrogate pair)]
const cases = [
  ['replace word', 'The quick brown fox jumps over the lazy dog.',
    'The quick red fox jumps over the lazy cat.'],
  ['insert only', 'Dear Sir,\nThanks.', 'Dear Sir or Madam,\nThanks a lot.'],
  ['from empty', '', 'Hello, world!'],
  ['to empty', 'Goodbye, world!', ''],
  ['special chars', 'a b', ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\t\x01 a b %20 %25'],
  ['newlines and tabs', 'line one\nline two\nline three',
    'line one\n\tline 2\nline three\n'],
  ['multi hunk lorem', lorem + lorem, lorem.replace('dolor', 'DOLOR') +
    lorem.replace('minim', 'maxim').replace('ullamco', 'ull')],
  ['repetitive context', 'abcabcabcabcabcabcabcabcabcabcabcabc',
    'abcabcabcabcabcXabcabcabcabcabcabcabc'],
  ['equality of eight', 'A12345678B', 'a12345678b'],
  ['equality of nine', 'A123456789B', 'a123456789b'],
  ['equality of eight inside', 'xxA12345678Bxx', 'xxa12345678bxx'],
  ['cjk', '你好世界，今天天气很好。我们去公园吧！', '你好，世界！今天天气不好。我们去图书馆吧！'],
  ['combining marks', 'e\u0301cole cafe\u0301 nai\u0308ve', '\u00e9cole cafe\u0301s nai\u0308ve\u0301'],
  ['emoji insert', 'Hello world', 'Hello \ud83c\udf0d world'],
  ['emoji delete', 'Smile \ud83d\ude00 please', 'Smile please'],
  ['emoji after text', 'ab\ud83d\ude00cdefghij', 'ab\ud83d\ude00cdXfghij'],
  ['emoji context', '\ud83d\udc4d\ud83c\udffd ok fine', '\ud83d\udc4d\ud83c\udffd ok, fine'],
  ['flags zwj', 'team \ud83d\udc69\u200d\ud83d\udcbb and \ud83c\uddeb\ud83c\uddf7',
    'team \ud83d\udc69\u200d\ud83d\udcbb, \ud83c\uddeb\ud83c\uddf7 and \ud83c\udde9\ud83c\uddea'],
  ['shared high surrogate', 'a\ud83d\ude00b', 'a\ud83d\ude03b',
    [[0, 'a'], [-1, '\ud83d\ude00'], [1, '\ud83d\ude03'], [0, 'b']]],
  ['shared high surrogate long', 'Greetings \ud83d\ude00 to all of you',
    'Greetings \ud83d\ude03 to all of you',
    [[0, 'Greetings '], [-1, '\ud83d\ude00'], [1, '\ud83d\ude03'], [0, ' to all of you']]],
  ['astral explicit', 'abcdefgh \ud835\udc00\ud835\udc01\ud835\udc02 = abc', 'abcdefgh \ud835\udc00\ud835\udc02 = ac!',
    [[0, 'abcdefgh \ud835\udc00'], [-1, '\ud835\udc01'], [0, '\ud835\udc02 = a'], [-1, 'b'], [0, 'c'], [1, '!']]],
  ['astral math', '\ud835\udc00\ud835\udc01\ud835\udc02 = abc', '\ud835\udc00\ud835\udc02 = ac!'],
];

const out = [];
for (const [name, text1, text2, explicit] of cases) {
  let diffs;
  if (explicit) {
    diffs = explicit.map(([op, s]) => new DMP.Diff(op, s));
  } else {
    diffs = dmp.diff_main(text1, text2, true);
    if (diffs.length > 2) {
      dmp.diff_cleanupSemantic(diffs);
      dmp.diff_cleanupEfficiency(diffs);
    }
  }
  const patches = dmp.patch_make(text1, diffs);
  let patch;
  try {
    patch = dmp.patch_toText(patches);
  } catch (e) {
    process.stderr.write('skipped (JS dmp 1.0.5 throws ' + e.message + '): ' + name + '\n');
    continue;
  }
  // Check the JS side applies it back.
  const [applied, ok] = dmp.patch_apply(dmp.patch_fromText(patch), text1);
  if (applied !== text2 || ok.some((x) => !x)) throw new Error('bad vector ' + name);
  out.push({
    name, text1, text2,
    diffs: diffs.map((d) => [d[0], d[1]]),
    explicit_diffs: !!explicit,
    patch,
  });
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
