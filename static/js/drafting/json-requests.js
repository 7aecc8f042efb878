/**
 * JSON requests from the drafting page to its own server (the signed-in
 * session's cookie, the page's CSRF token): the suggestion and comment
 * controls use them.
 *
 * @module drafting/json-requests
 */

/**
 * Send JSON to the page's own server (POST unless `method` says otherwise).
 *
 * @param {Window} win
 * @param {string} url
 * @param {string} csrf
 * @param {object} [body]
 * @param {string} [method]
 * @returns {Promise<{ok: boolean, data: any}>}
 */
export async function postJson(win, url, csrf, body = {}, method = 'POST') {
  try {
    const response = await win.fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    return { ok: response.ok, data };
  } catch (error) {
    return { ok: false, data: { error: { message: String(error && error.message) } } };
  }
}

/**
 * The message of a refusal answered by {@link postJson} ('' when it has none).
 *
 * @param {any} data
 * @returns {string}
 */
export function refusalMessage(data) {
  return (data && data.error && data.error.message) || '';
}
