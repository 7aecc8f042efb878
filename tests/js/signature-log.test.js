import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  canonicalJson,
  entryHash,
  normaliseReceiptCode,
  receiptCommitment,
  verifyLog,
} from '../../static/js/signature-log.js';

const subtle = webcrypto.subtle;
// Computed with app/signing/signature_log.py (entry_hash, receipt_commitment) for the same entry.
const CONTENT_HASH = '71988c4d8e0803ba4519f0b2864c1331c14a1890bf8694e251379177bfedb5c3';
const COMMITMENT = '89f7dc03953a29f48886cc9253aac89e3949b7ec2e4f6087df3f2973e7b62553';
const HASH = '0b5082b60c586635c872b7406be73b19b69848b7fd8ab2982b5fbb1dd8481061';
const FIRST = {
  letter_id: 7, seq: 1, kind: 'signature', commitment: COMMITMENT, count: 1, recorded_on: '2026-11-28', prev_hash: CONTENT_HASH,
};

async function chain(kinds) {
  const log = { letter_id: 7, content_hash: CONTENT_HASH, entries: [] };
  let previous = CONTENT_HASH;
  for (const [index, [kind, code]] of kinds.entries()) {
    const entry = {
      letter_id: 7, seq: index + 1, kind, commitment: await receiptCommitment(subtle, 7, code),
      count: 1, recorded_on: '2026-11-28', prev_hash: previous,
    };
    entry.hash = await entryHash(subtle, entry);
    previous = entry.hash;
    log.entries.push(entry);
  }
  log.head = previous;
  return log;
}

test('canonical JSON is what Python json.dumps(sort_keys=True, separators) writes', () => {
  assert.equal(canonicalJson({ b: 1, a: 'é😀\u007f\u0001"' }), '{"a":"\\u00e9\\ud83d\\ude00\\u007f\\u0001\\"","b":1}');
});

test('the hashes match the server\'s for the same entry', async () => {
  assert.equal(await receiptCommitment(subtle, 7, 'ABCD-EFGH-JKMN'), COMMITMENT);
  assert.equal(await entryHash(subtle, FIRST), HASH);
  const result = await verifyLog(subtle, { letter_id: 7, content_hash: CONTENT_HASH, entries: [{ ...FIRST, hash: HASH }], head: HASH }, 'abcd efgh jkmn');
  assert.deepEqual(result, { ok: true, problems: [], entries: 1, online: 1, paper: 0, receiptFound: true });
});

test('a signature\'s version hashes are hashed with its entry, as the server does; a null one is not', async () => {
  const versions = { original: CONTENT_HASH, es: 'ab'.repeat(32) };
  // entry_hash({...FIRST, versions}) in app/signing/signature_log.py:
  const withVersions = 'ab543491a2defd348f0b7607da596ef86d7a8aa4d5d63e64dde01595a4f19c13';
  assert.equal(await entryHash(subtle, { ...FIRST, versions }), withVersions);
  assert.equal(await entryHash(subtle, { ...FIRST, versions: null }), HASH);
  const log = { letter_id: 7, content_hash: CONTENT_HASH, entries: [{ ...FIRST, versions, hash: withVersions }], head: withVersions };
  assert.equal((await verifyLog(subtle, log, 'ABCD-EFGH-JKMN')).ok, true);
  log.entries[0].versions = { ...versions, es: 'cd'.repeat(32) };
  assert.equal((await verifyLog(subtle, log)).ok, false);
});

test('a receipt is found until it is withdrawn; unknown and malformed codes are not found', async () => {
  const log = await chain([['signature', 'ABCD-EFGH-JKMN'], ['signature', 'PQRS-TUVW-XYZ2'], ['withdrawal', 'PQRS-TUVW-XYZ2']]);
  assert.equal((await verifyLog(subtle, log, 'ABCD-EFGH-JKMN')).receiptFound, true);
  assert.equal((await verifyLog(subtle, log, 'PQRS-TUVW-XYZ2')).receiptFound, false);
  assert.equal((await verifyLog(subtle, log, 'AAAA-BBBB-CCCC')).receiptFound, false);
  assert.equal((await verifyLog(subtle, log, 'not a code')).receiptFound, false);
  const result = await verifyLog(subtle, log);
  assert.equal(result.ok, true);
  assert.equal(result.online, 1);
});

test('any alteration breaks the chain', async () => {
  const log = await chain([['signature', 'ABCD-EFGH-JKMN'], ['signature', 'PQRS-TUVW-XYZ2']]);
  const altered = structuredClone(log);
  altered.entries[0].recorded_on = '1999-01-01';
  const removed = structuredClone(log);
  removed.entries.splice(0, 1);
  const truncated = structuredClone(log);
  truncated.entries.pop();
  for (const broken of [altered, removed, truncated]) {
    const result = await verifyLog(subtle, broken);
    assert.equal(result.ok, false);
    assert.ok(result.problems.length > 0);
  }
  assert.equal((await verifyLog(subtle, { entries: 'no' })).ok, false);
});

test('receipt codes are forgiven spaces, dashes and case, and nothing else', () => {
  assert.equal(normaliseReceiptCode(' abcd-efgh jkmn '), 'ABCD-EFGH-JKMN');
  assert.equal(normaliseReceiptCode('ABCD\u2013EFGH\u2013JKMN'), 'ABCD-EFGH-JKMN');
  for (const bad of ['', 'ABCD-EFGH-JKM', 'ABCD-EFGH-JKM0', 'ABCD-EFGH-JKMI', null, 12, 'A'.repeat(65)]) {
    assert.equal(normaliseReceiptCode(bad), null);
  }
});
