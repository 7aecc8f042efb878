/**
 * The review pages' enhancements (every page works without them):
 *
 * - `[data-timeslider]` (history): moving the range input shows that revision at once (fetched as
 *   JSON with the session cookie) and keeps the address in step; the arrow keys step one revision.
 * - `[data-select-source]` (suggest or comment): selecting text in the read-only letter copies it
 *   into the forms `[data-selection-form]`, with its character offsets (code points, as the server
 *   counts them) in their `[data-selection=start|end]` fields.
 * - `[data-blame]` (authorship): pointing at a passage, or moving through passages with the arrow
 *   keys once the text has focus, says who wrote it and when.
 * - `#live-review` (every review page): the page updates itself as drafters type (./live.js).
 *
 * @module review/main
 */
import { setUpLive } from './live.js';
import { codePointOffset, debounce, fillTemplate } from './util.js';

/**
 * Point the history page's forms (name, approve, restore) at the revision now shown.
 * @param {{revision: number, checkpoint: string|null, can_restore: boolean, links: {view: string}}} data
 */
function updateActions(data) {
  const actions = document.getElementById('revision-actions');
  if (!actions) return;
  const n = String(data.revision);
  for (const input of actions.querySelectorAll('input[name=revision]')) input.value = n;
  for (const input of actions.querySelectorAll('input[name=next]')) input.value = data.links.view;
  for (const button of actions.querySelectorAll('[data-label-template]')) {
    button.textContent = fillTemplate(button.dataset.labelTemplate, { n });
  }
  const name = actions.querySelector('input[name=name]');
  if (name) name.value = data.checkpoint || '';
  const restore = actions.querySelector('[data-restore-form]');
  if (restore) {
    restore.hidden = !data.can_restore;
    if (restore.dataset.confirmTemplate) restore.dataset.confirm = fillTemplate(restore.dataset.confirmTemplate, { n });
  }
}

/** @param {HTMLFormElement} form */
function setUpTimeslider(form) {
  const slider = form.querySelector('input[type=range]');
  const output = form.querySelector('output');
  const submit = form.querySelector('[data-timeslider-submit]');
  const panel = document.getElementById('revision-panel');
  const textBox = document.getElementById('revision-text');
  const meta = document.getElementById('revision-meta');
  const template = form.dataset.jsonUrl;
  if (!slider || !panel || !textBox || !meta || !template) return;
  if (submit) submit.hidden = true;
  let latest = 0;

  const show = async (n) => {
    const ticket = ++latest;
    panel.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(template.replace('{n}', String(n)), {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (ticket !== latest) return;
      textBox.textContent = data.text;
      const strong = meta.querySelector('strong');
      if (strong) strong.textContent = strong.textContent.replace(/\d+/, String(data.revision));
      const author = meta.querySelector('[data-field=author]');
      if (author) author.textContent = data.author.name;
      const when = meta.querySelector('[data-field=when]');
      if (when) when.textContent = data.when;
      const kind = meta.querySelector('[data-field=kind]');
      if (kind) kind.textContent = data.kindLabel || '';
      const badges = meta.querySelector('[data-field=badges]');
      if (badges) {
        badges.replaceChildren();
        const names = data.checkpoint ? [[data.checkpoint, 'badge']] : [];
        for (const name of data.approved_by) {
          names.push([fillTemplate(badges.dataset.labelApproved || '{name}', { name }), 'badge approved']);
        }
        for (const [label, className] of names) {
          const badge = document.createElement('span');
          badge.className = className;
          badge.textContent = label;
          badges.append(badge);
        }
      }
      updateActions(data);
      for (const link of panel.querySelectorAll('[data-link]')) {
        const href = data.links[link.dataset.link];
        if (href) link.href = href;
        link.closest('li').hidden = (link.dataset.link === 'previous' && data.revision === 0)
          || (link.dataset.link === 'newest' && data.revision === data.newest);
      }
      const url = new URL(window.location.href);
      url.searchParams.set('revision', String(data.revision));
      window.history.replaceState(null, '', url);
    } catch {
      // Could not fetch: fall back to loading the page for that revision.
      if (ticket === latest) form.submit();
    } finally {
      if (ticket === latest) panel.setAttribute('aria-busy', 'false');
    }
  };
  const showSoon = debounce(show, 150);

  slider.addEventListener('input', () => {
    if (output) output.textContent = slider.value;
    showSoon(Number(slider.value));
  });
  for (const link of form.querySelectorAll('[data-step]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const next = Math.min(Number(slider.max), Math.max(0, Number(slider.value) + Number(link.dataset.step)));
      slider.value = String(next);
      if (output) output.textContent = slider.value;
      show(next);
    });
  }
}

/** @param {HTMLTextAreaElement} source */
function setUpSelection(source) {
  const status = document.getElementById('selection-status');
  const forms = Array.from(document.querySelectorAll('[data-selection-form]'));
  if (!forms.length) return;
  const update = () => {
    const value = source.value;
    const start = codePointOffset(value, source.selectionStart);
    const end = codePointOffset(value, source.selectionEnd);
    const selected = value.slice(source.selectionStart, source.selectionEnd);
    for (const form of forms) {
      const startField = form.querySelector('[data-selection=start]');
      const endField = form.querySelector('[data-selection=end]');
      const quote = form.querySelector('textarea[name$=quote]');
      const isComment = form.dataset.selectionForm === 'comment';
      if (isComment && start === end) continue; // a comment needs a passage
      if (startField) startField.value = String(start);
      if (endField) endField.value = String(end);
      if (quote) quote.value = selected;
    }
    if (status) {
      const label = start === end ? status.dataset.labelCaret : status.dataset.labelRange;
      status.textContent = fillTemplate(label || '', { start, end });
    }
  };
  for (const type of ['select', 'mouseup', 'keyup']) source.addEventListener(type, update);
  // Typing a passage by hand: it is found by its text, not by the offsets.
  for (const form of forms) {
    const quote = form.querySelector('textarea[name$=quote]');
    if (!quote) continue;
    quote.addEventListener('input', () => {
      for (const name of ['start', 'end']) {
        const input = form.querySelector(`[data-selection=${name}]`);
        if (input) input.value = '';
      }
    });
  }
  if (status) status.textContent = status.dataset.labelNone || '';
}

/** @param {HTMLElement} box */
function setUpBlame(box) {
  const runs = Array.from(box.querySelectorAll('.blame-run'));
  const status = document.getElementById('blame-status');
  if (!runs.length || !status) return;
  let current = -1;
  const select = (index, scroll) => {
    if (current >= 0) runs[current].classList.remove('current');
    current = Math.max(0, Math.min(runs.length - 1, index));
    const run = runs[current];
    run.classList.add('current');
    status.textContent = run.title;
    if (scroll) run.scrollIntoView({ block: 'nearest' });
  };
  box.addEventListener('focus', () => { if (current < 0) select(0, false); });
  box.addEventListener('keydown', (event) => {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in moves) {
      event.preventDefault();
      select(current + moves[event.key], true);
    } else if (event.key === 'Home') {
      event.preventDefault();
      select(0, true);
    } else if (event.key === 'End') {
      event.preventDefault();
      select(runs.length - 1, true);
    }
  });
  box.addEventListener('mouseover', (event) => {
    const run = event.target instanceof Element ? event.target.closest('.blame-run') : null;
    if (run) select(Number(run.dataset.run), false);
  });
}

/**
 * Enhance a page, or a region of it swapped in by the live updates.
 * @param {Document|HTMLElement} doc
 */
export function enhance(doc = document) {
  const live = doc.querySelector('#live-review');
  if (live) setUpLive(live, { onRegion: (region) => enhance(region) });
  for (const form of doc.querySelectorAll('[data-timeslider]')) setUpTimeslider(form);
  for (const source of doc.querySelectorAll('[data-select-source]')) setUpSelection(source);
  for (const box of doc.querySelectorAll('[data-blame]')) setUpBlame(box);
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => enhance(document));
  else enhance(document);
}
