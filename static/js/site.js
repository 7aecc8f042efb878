/**
 * Small site-wide enhancements, loaded on every page as an ES module. The
 * pages work without them; there is no inline script anywhere (the Content
 * Security Policy forbids it).
 *
 * - `<select data-autosubmit>` submits its form when changed (the language
 *   switcher); elements marked `data-autosubmit-hide` (its "Go" button) are
 *   hidden once this script runs.
 * - `data-confirm="Question?"` on a button, link or form asks before going on.
 * - `<button data-copy-target="ID">` copies the text of element ID (a content
 *   hash, say); its `data-copied-label` is shown for a moment afterwards.
 *
 * @module site
 */

/**
 * Submit a form as if its submit button had been pressed (running the
 * form's validation and submit listeners).
 * @param {HTMLFormElement} form
 */
function submitForm(form) {
  if (typeof form.requestSubmit === 'function') form.requestSubmit();
  else form.submit();
}

/** @param {Document} doc */
export function enhance(doc = document) {
  doc.documentElement.classList.add('js');

  for (const el of doc.querySelectorAll('[data-autosubmit-hide]')) el.hidden = true;

  doc.addEventListener('change', (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute('data-autosubmit') && target.form) {
      submitForm(target.form);
    }
  });

  doc.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
    if (!target || target instanceof HTMLFormElement) return;
    const question = target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  doc.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) return;
    const question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  doc.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-copy-target]') : null;
    if (!button) return;
    const source = doc.getElementById(button.getAttribute('data-copy-target'));
    if (!source || !navigator.clipboard) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      const label = button.getAttribute('data-copied-label');
      if (label) {
        const original = button.textContent;
        button.textContent = label;
        setTimeout(() => {
          button.textContent = original;
        }, 2000);
      }
    } catch {
      // Clipboard refused (permissions): nothing to do, the text is selectable.
    }
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => enhance(document));
  else enhance(document);
}
