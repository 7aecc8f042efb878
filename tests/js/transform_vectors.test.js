/**
 * The shared transform vectors (tests/sync/data/transform_vectors.json) through the browser's
 * operations.js. tests/sync/test_sync_transform_vectors.py runs the same file through the Python
 * engine: both must give every expected text and patch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apply, diffOps, opsFromPatch, patchFromOps, push, transform } from '../../static/js/drafting/operations.js';
import { applyPatchExact } from '../../static/js/drafting/patches.js';
import { normalizeLineEndings } from '../../static/js/drafting/text.js';

const FILE = new URL('../sync/data/transform_vectors.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(FILE, 'utf8'));

/**
 * A vector's operation (n > 0 keep, -n delete, a string insert) as operations.js components.
 * @param {Array<number|string>} components
 */
function toOps(components) {
  const ops = [];
  for (const c of components) {
    if (typeof c === 'string') push(ops, { insert: c });
    else if (c > 0) push(ops, { retain: c });
    else push(ops, { delete: -c });
  }
  return ops;
}

/** One edit: its operation, its patch text and the operation read back from the patch agree. */
function checkStep(before, step) {
  const ops = toOps(step.ops);
  assert.equal(apply(before, ops), step.text, 'the operation gives the text');
  assert.equal(patchFromOps(before, ops), step.patch, 'the same patch text as the server makes');
  const read = opsFromPatch(before, step.patch);
  assert.equal(read.text, step.text);
  assert.deepEqual(read.ops, ops, 'the patch performs exactly the operation');
  assert.deepEqual(diffOps(before, step.text), toOps(step.diff), 'the same diff as the server');
}

test('the vector file has merges and refusals', () => {
  assert.ok(vectors.filter((v) => !v.error).length >= 30);
  assert.ok(vectors.some((v) => v.error === 'conflict') && vectors.some((v) => v.error === 'bad_patch'));
});

for (const vector of vectors.filter((v) => !v.error)) {
  test(`merge: ${vector.name}`, () => {
    let newest = vector.base;
    for (const step of vector.committed) {
      checkStep(newest, step);
      newest = step.text;
    }
    const { edit } = vector;
    checkStep(vector.base, edit);

    // The drafters whose revisions were committed: the merged revision's patch, applied exactly.
    assert.equal(applyPatchExact(newest, vector.merged_patch), vector.merged);

    // The edit's drafter: its edit applied locally, each committed revision transformed past it
    // (the committed one counts as first). A browser normalises line endings before sending.
    let pending = toOps(edit.ops);
    if (vector.newlines_normalised) {
      pending = toOps(edit.ops.map((c) => (typeof c === 'string' ? normalizeLineEndings(c) : c)));
    }
    let local = apply(vector.base, pending);
    for (const step of vector.committed) {
      const [pending2, remote] = transform(pending, toOps(step.ops));
      local = apply(local, remote);
      pending = pending2;
    }
    assert.equal(local, vector.merged);
    // What the server does with it: the transformed edit applied to the newest text.
    assert.equal(apply(newest, pending), vector.merged);
  });
}

for (const vector of vectors.filter((v) => v.error)) {
  test(`refused (${vector.error}): ${vector.name}`, () => {
    let newest = vector.base;
    for (const step of vector.committed) {
      checkStep(newest, step);
      newest = step.text;
    }
    assert.throws(() => opsFromPatch(vector.base, vector.edit.patch), 'no client applies it');
  });
}
