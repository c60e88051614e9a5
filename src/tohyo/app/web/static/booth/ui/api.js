/**
 * The JSON API, as the booth calls it. Every failure is an {@link ApiError}
 * with the server's stable code, or `network.failed` when no answer came.
 * @module
 */

export class ApiError extends Error {
  /**
   * @param {number} status - 0 when no answer came
   * @param {string} code - e.g. `session.expired`
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} url
 * @param {{method?: string, body?: unknown, token?: string, text?: boolean}} [options]
 * @returns {Promise<any>}
 */
export async function request(url, { method = 'GET', body, token, text = false } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: text ? 'text/plain' : 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
    });
  } catch (error) {
    throw new ApiError(0, 'network.failed', String(error));
  }
  if (response.ok) return text ? response.text() : response.json();
  let code = 'server.error';
  let message = `HTTP ${response.status}`;
  try {
    const found = await response.json();
    if (found && found.error && typeof found.error.code === 'string') {
      code = found.error.code;
      message = String(found.error.message);
    }
  } catch {
    // not JSON: keep the generic code
  }
  throw new ApiError(response.status, code, message);
}
