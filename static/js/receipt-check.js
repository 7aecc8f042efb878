// The receipt check page: with JavaScript (and Web Crypto, which needs HTTPS or localhost), the
// browser downloads the public signature log and checks it itself; the receipt code never leaves the
// page. Without them, the form is sent and the server answers (app/signing/receipt_pages.py).
import { normaliseReceiptCode, verifyLog } from './signature-log.js';

const form = document.getElementById('receipt-check');
const answer = document.getElementById('receipt-answer');
const subtle = globalThis.crypto && globalThis.crypto.subtle;

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function show(parts, found) {
  answer.replaceChildren();
  answer.className = `receipt-answer ${found ? 'found' : 'not-found'}`;
  for (const [text, strong] of parts) {
    const paragraph = document.createElement('p');
    if (strong) {
      const bold = document.createElement('strong');
      bold.textContent = text;
      paragraph.append(bold);
    } else {
      paragraph.textContent = text;
    }
    answer.append(paragraph);
  }
  answer.dataset.checkedBy = 'browser';
  answer.dataset.found = found ? 'true' : 'false';
}

async function check(event) {
  event.preventDefault();
  const labels = answer.dataset;
  const typed = form.elements.code.value;
  answer.replaceChildren();
  answer.textContent = labels.labelChecking;
  try {
    const response = await fetch(form.dataset.logUrl, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`the log answered ${response.status}`);
    const log = await response.json();
    const result = await verifyLog(subtle, log, normaliseReceiptCode(typed) === null ? '' : typed);
    const parts = [[result.receiptFound ? labels.labelFound : labels.labelNotFound, true]];
    parts.push([fill(result.ok ? labels.labelIntact : labels.labelBroken, { entries: result.entries }), false]);
    parts.push([labels.labelByBrowser, false]);
    show(parts, result.receiptFound === true);
  } catch {
    // The log could not be fetched or read here: let the server check it.
    form.removeEventListener('submit', check);
    form.requestSubmit();
  }
}

if (form && answer && subtle && typeof TextEncoder === 'function') {
  form.addEventListener('submit', check);
  form.dataset.checksInBrowser = 'true';
}
