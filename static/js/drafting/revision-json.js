/**
 * Follow a JSON document of the drafting page's server that is placed on one
 * revision of the letter (`{revision, ...}`, offsets into that revision's
 * text): fetch it, and hand it on only when the session is at the same
 * revision, so that its offsets can be mapped onto the editor's text
 * (`session.shadowToLocal`). When they differ, wait until the session is idle
 * and ask again.
 *
 * @module drafting/revision-json
 */

/**
 * @param {object} deps
 * @param {Window} deps.win
 * @param {string} deps.url
 * @param {import('./session.js').DraftSession} deps.session
 * @param {(data: any) => void} deps.onData called with a document on the session's revision
 * @param {(data: any) => void} [deps.onAnswer] called with every document received, first
 * @param {number} [deps.delayMs] at most one request per this many milliseconds
 * @param {number} [deps.againMs] how soon to ask again when a refresh came during a request
 * @param {number} [deps.attempts] tries before giving up until the next refresh
 * @returns {{refresh: (waitMs?: number) => void, now: () => Promise<void>}}
 */
export function followRevisionJson({ win, url, session, onData, onAnswer, delayMs = 1000, againMs = delayMs, attempts = 3 }) {
  let timer = null;
  let busy = false;
  let again = false;
  const load = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const response = await win.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (!response.ok) return;
        const data = await response.json();
        if (onAnswer) onAnswer(data);
        if (session.ready && session.revision === data.revision) {
          onData(data);
          return;
        }
        await session.whenIdle();
      }
    } catch {
      // The next refresh tries again.
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh(againMs);
      }
    }
  };
  // A refresh asked for sooner than the one pending replaces it; a later one joins it.
  let due = 0;
  const refresh = (waitMs = delayMs) => {
    const at = Date.now() + waitMs;
    if (timer !== null) {
      if (at >= due) return;
      win.clearTimeout(timer);
    }
    due = at;
    timer = win.setTimeout(() => {
      timer = null;
      load();
    }, waitMs);
  };
  return { refresh, now: load };
}
