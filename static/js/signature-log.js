// Checks a letter's published signature log in the browser, exactly as `flask verify-log` does
// (app/signing/signature_log.py): every entry's SHA-256 over its canonical JSON, the chain from the
// letter's content hash to the head, the order, and whether a receipt code's commitment is signed and
// not withdrawn. Pure: the SubtleCrypto object is passed in (the browser's, or Node's in the tests).

export const HASHED_FIELDS = ['letter_id', 'seq', 'kind', 'commitment', 'count', 'recorded_on', 'prev_hash'];
// Hashed with the others when the entry has it (not null): a signature's version hashes.
export const OPTIONAL_HASHED_FIELDS = ['versions'];
const KINDS = ['signature', 'withdrawal', 'paper_batch'];
const RECEIPT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

// A typed receipt code as the receipt shows it (ABCD-EFGH-JKMN), or null if it cannot be one.
export function normaliseReceiptCode(raw) {
  if (typeof raw !== 'string' || raw.length > 64) return null;
  const compact = raw.replace(/[\s\-\u2010-\u2015\u2212]+/g, '').toUpperCase();
  if (compact.length !== 12 || [...compact].some((char) => !RECEIPT_ALPHABET.includes(char))) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}`;
}

// Python's json.dumps(value, sort_keys=True, separators=(',', ':')) with its default ensure_ascii
// (which escapes everything outside space..tilde, DEL included, as \uXXXX).
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${canonicalJson(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}

export async function sha256Hex(subtle, text) {
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function entryHash(subtle, entry) {
  const hashed = {};
  for (const key of HASHED_FIELDS) hashed[key] = entry[key];
  for (const key of OPTIONAL_HASHED_FIELDS) {
    if (entry[key] !== undefined && entry[key] !== null) hashed[key] = entry[key];
  }
  return sha256Hex(subtle, canonicalJson(hashed));
}

export function receiptCommitment(subtle, letterId, code) {
  return sha256Hex(subtle, `${letterId}:${code.trim().toUpperCase()}`);
}

// {ok, problems, entries, online, paper, receiptFound} for a log (the parsed JSON of GET /api/v1/letters/ID/log).
export async function verifyLog(subtle, log, receiptCode = null) {
  const result = { ok: true, problems: [], entries: 0, online: 0, paper: 0, receiptFound: null };
  const problem = (message) => {
    result.ok = false;
    result.problems.push(message);
  };
  if (!log || typeof log !== 'object' || !('letter_id' in log) || !('content_hash' in log) || !('entries' in log)) {
    problem('not a signature log: letter_id, content_hash and entries are required');
    return result;
  }
  if (!Array.isArray(log.entries)) {
    problem('entries must be a list');
    return result;
  }
  let previous = log.content_hash;
  const active = new Map();
  for (const [index, entry] of log.entries.entries()) {
    const position = index + 1;
    if (!entry || typeof entry !== 'object' || [...HASHED_FIELDS, 'hash'].some((key) => !(key in entry))) {
      problem(`entry ${position}: missing fields`);
      return result;
    }
    result.entries = position;
    if (entry.letter_id !== log.letter_id) problem(`entry ${position}: belongs to another letter`);
    if (entry.seq !== position) problem(`entry ${position}: sequence number ${entry.seq} is out of order`);
    if (entry.prev_hash !== previous) problem(`entry ${position}: does not follow the entry before it`);
    if ((await entryHash(subtle, entry)) !== entry.hash) problem(`entry ${position}: its content does not match its hash`);
    if (!KINDS.includes(entry.kind)) problem(`entry ${position}: unknown kind`);
    previous = entry.hash;
    const signed = active.get(entry.commitment) || 0;
    if (entry.kind === 'signature') {
      active.set(entry.commitment, signed + 1);
      result.online += 1;
    } else if (entry.kind === 'withdrawal') {
      if (signed < 1) {
        problem(`entry ${position}: withdraws a signature that is not in the log`);
      } else {
        active.set(entry.commitment, signed - 1);
        result.online -= 1;
      }
    } else if (entry.kind === 'paper_batch') {
      result.paper += Number(entry.count);
    }
  }
  if ('head' in log && log.head !== previous) problem("the log's head does not match its last entry");
  if (receiptCode !== null) {
    const code = normaliseReceiptCode(receiptCode);
    const commitment = code === null ? null : await receiptCommitment(subtle, log.letter_id, code);
    result.receiptFound = commitment !== null && (active.get(commitment) || 0) > 0;
  }
  return result;
}
