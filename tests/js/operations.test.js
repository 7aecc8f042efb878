import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apply,
  baseLength,
  compose,
  diffOps,
  opsFromPatch,
  push,
  targetLength,
  transform,
  transformIndex,
} from '../../static/js/drafting/operations.js';
import { makePatch } from '../../static/js/drafting/patches.js';
import { makeRng, randomText, randomEdit, boundaries } from './helpers/random.js';

/** A random operation on `text` made of whole-character edits, inserting unique tokens. */
function randomOp(rng, text, tag, tokens) {
  const ops = [];
  const b = boundaries(text);
  let pos = 0;
  let count = 0;
  while (pos < text.length || (pos === text.length && rng.chance(0.3))) {
    const choice = rng.int(3);
    if (choice === 0) {
      const token = `<${tag}${count}>`;
      count += 1;
      tokens.push(token);
      push(ops, { insert: token });
      if (pos === text.length) break;
    }
    if (pos === text.length) break;
    const next = b.filter((x) => x > pos);
    const end = rng.pick(next.slice(0, 4));
    if (choice === 1) push(ops, { delete: end - pos });
    else push(ops, { retain: end - pos });
    pos = end;
  }
  return ops;
}

test('apply, compose and lengths', () => {
  const ops = diffOps('hello world', 'hello brave new world!');
  assert.equal(baseLength(ops), 11);
  assert.equal(targetLength(ops), 22);
  assert.equal(apply('hello world', ops), 'hello brave new world!');
  const second = diffOps('hello brave new world!', 'hi brave world');
  assert.equal(apply('hello world', compose(ops, second)), 'hi brave world');
  assert.throws(() => apply('short', ops));
});

test('concurrent inserts at the same position: the remote one goes first, never interleaved', () => {
  const base = 'ab';
  const local = [{ retain: 1 }, { insert: 'LOCAL' }, { retain: 1 }];
  const remote = [{ retain: 1 }, { insert: 'REMOTE' }, { retain: 1 }];
  const [local2, remote2] = transform(local, remote);
  assert.equal(apply(apply(base, remote), local2), 'aREMOTELOCALb');
  assert.equal(apply(apply(base, local), remote2), 'aREMOTELOCALb');
});

test('a deletion never removes text it did not see', () => {
  const base = 'keep DELETE ME keep';
  const local = diffOps(base, 'keep  keep');
  const remote = diffOps(base, 'keep DELETE[new] ME keep');
  const [local2, remote2] = transform(local, remote);
  const viaRemote = apply(apply(base, remote), local2);
  assert.equal(viaRemote, apply(apply(base, local), remote2));
  assert.equal(viaRemote, 'keep [new] keep');
});

test('both delete the same text: deleted once', () => {
  const base = 'one two three';
  const a = diffOps(base, 'one three');
  const b = diffOps(base, 'one  three'.replace('  ', ' '));
  const [a2, b2] = transform(a, b);
  assert.equal(apply(apply(base, b), a2), 'one three');
  assert.equal(apply(apply(base, a), b2), 'one three');
});

test('randomised: transform converges in either order, inserts stay whole and are all kept', () => {
  const rng = makeRng(20240501);
  for (let i = 0; i < 3000; i += 1) {
    const base = randomText(rng, 30);
    const tokensA = [];
    const tokensB = [];
    const a = randomOp(rng, base, 'a', tokensA);
    const b = randomOp(rng, base, 'b', tokensB);
    const [a2, b2] = transform(a, b);
    const left = apply(apply(base, b), a2);
    const right = apply(apply(base, a), b2);
    assert.equal(left, right, `base ${JSON.stringify(base)}`);
    for (const token of [...tokensA, ...tokensB]) {
      assert.equal(left.split(token).length - 1, 1, `token ${token} appears exactly once in ${left}`);
    }
    // At a shared position every remote token comes before every local one.
    const merged = left;
    for (const ta of tokensA) {
      for (const tb of tokensB) {
        const ia = merged.indexOf(ta);
        const ib = merged.indexOf(tb);
        if (ia === ib + tb.length) continue; // adjacent b then a: fine
        assert.ok(!(ib === ia + ta.length && sameInsertPoint(base, a, b, ta, tb)), 'local before remote at the same point');
      }
    }
  }
});

/** Whether tokens ta (in a) and tb (in b) were inserted at the same base offset. */
function sameInsertPoint(base, a, b, ta, tb) {
  const where = (ops, token) => {
    let pos = 0;
    for (const op of ops) {
      if ('insert' in op && op.insert.includes(token)) return pos;
      if (!('insert' in op)) pos += op.retain ?? op.delete;
    }
    return -1;
  };
  return where(a, ta) === where(b, tb);
}

test('randomised: rebasing diff-made operations over each other converges', () => {
  const rng = makeRng(7);
  for (let i = 0; i < 1500; i += 1) {
    const base = randomText(rng, 40);
    const x = randomEdit(rng, base);
    const y = randomEdit(rng, base);
    const a = diffOps(base, x);
    const b = diffOps(base, y);
    const [a2, b2] = transform(a, b);
    assert.equal(apply(apply(base, b), a2), apply(apply(base, a), b2));
  }
});

test('randomised: three concurrent operations, applied as a server would, converge on every client', () => {
  const rng = makeRng(31337);
  for (let i = 0; i < 800; i += 1) {
    const base = randomText(rng, 25);
    const ops = [0, 1, 2].map((k) => randomOp(rng, base, `c${k}`, []));
    // The server commits them in order 0, 1, 2, rebasing each over the earlier ones.
    let text = base;
    const committed = [];
    for (const op of ops) {
      let rebased = op;
      for (const c of committed) rebased = transform(rebased, c)[0];
      text = apply(text, rebased);
      committed.push(rebased);
    }
    // Client 2 had only its own op applied locally; it rebases over 0 and 1 as they arrive.
    let local = apply(base, ops[2]);
    let pending = ops[2];
    let shadow = base;
    for (const c of committed.slice(0, 2)) {
      const [p2, c2] = transform(pending, c);
      shadow = apply(shadow, c);
      local = apply(local, c2);
      pending = p2;
      assert.equal(local, apply(shadow, pending));
    }
    assert.equal(local, text);
  }
});

test('transformIndex maps offsets through inserts and deletes', () => {
  const ops = [{ retain: 2 }, { insert: 'XY' }, { retain: 2 }, { delete: 3 }, { retain: 1 }];
  assert.equal(transformIndex(0, ops), 0);
  assert.equal(transformIndex(2, ops), 4);
  assert.equal(transformIndex(2, ops, false), 2);
  assert.equal(transformIndex(4, ops), 6);
  assert.equal(transformIndex(5, ops), 6);
  assert.equal(transformIndex(7, ops), 6);
  assert.equal(transformIndex(8, ops), 7);
});

test('opsFromPatch gives the operation of a multi-hunk patch exactly', () => {
  const rng = makeRng(5);
  const alphabet = ['lorem ', 'ipsum ', '😀', '😃', 'dolor\n', 'x'];
  for (let i = 0; i < 300; i += 1) {
    const a = randomText(rng, 80, alphabet);
    let b = a;
    for (let k = 0; k < 4; k += 1) b = randomEdit(rng, b, 2, alphabet);
    const { text, ops } = opsFromPatch(a, makePatch(a, b));
    assert.equal(text, b);
    assert.equal(apply(a, ops), b);
  }
});
