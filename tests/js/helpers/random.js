/**
 * A small seeded pseudo-random generator (mulberry32) for reproducible
 * randomised tests.
 */
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** integer in [0, n) */
    int: (n) => Math.floor(next() * n),
    /** true with probability p */
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** Characters that stress UTF-16 handling: ASCII, Latin, emoji sharing high surrogates, CJK, combining marks. */
export const ALPHABET = ['a', 'b', 'c', ' ', '\n', 'é', 'ß', '😀', '😃', '😄', '🙂', '𝒜', '𝒞', '中', 'e\u0301', '%', '+', '@'];

/** A random string made of whole characters from ALPHABET. */
export function randomText(rng, maxChars, alphabet = ALPHABET) {
  let s = '';
  const n = rng.int(maxChars + 1);
  for (let i = 0; i < n; i += 1) s += rng.pick(alphabet);
  return s;
}

/** Character (code point) boundaries of a string, as UTF-16 offsets. */
export function boundaries(text) {
  const out = [0];
  let i = 0;
  for (const ch of text) {
    i += ch.length;
    out.push(i);
  }
  return out;
}

/** Apply a few random whole-character edits to a text. */
export function randomEdit(rng, text, steps = 3, alphabet = ALPHABET) {
  let t = text;
  const n = 1 + rng.int(steps);
  for (let k = 0; k < n; k += 1) {
    const b = boundaries(t);
    const i = rng.pick(b);
    if (rng.chance(0.5)) {
      t = t.slice(0, i) + randomText(rng, 4, alphabet) + t.slice(i);
    } else {
      const j = rng.pick(b.filter((x) => x >= i));
      t = t.slice(0, i) + t.slice(j);
    }
  }
  return t;
}
