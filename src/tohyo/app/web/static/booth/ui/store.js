/**
 * What the booth keeps in the page (docs/spec/booth.md §BO-4.2): `sessionStorage`,
 * which lives as long as the tab and is never sent to the server. Nothing here is
 * a secret that the server must not see, except the choices themselves, which
 * only this device ever holds; they are removed once the ballot is cast.
 *
 * Keys (per election): `session` {token, credential, expires_at, method}; `answers`
 * {questionId: {blank: bool, options: string[]}}; `pending` {ballot,
 * idempotency_key, tracking} while a cast may need a retry; `receipt`.
 * @module
 */

const PREFIX = 'tohyo:';

function key(electionId, name) {
  return `${PREFIX}${electionId}:${name}`;
}

/**
 * @param {string} electionId
 * @param {string} name
 * @returns {any}
 */
export function load(electionId, name) {
  try {
    const raw = sessionStorage.getItem(key(electionId, name));
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return null; // storage disabled or a tampered value: as if nothing were kept
  }
}

/**
 * @param {string} electionId
 * @param {string} name
 * @param {any} value
 */
export function save(electionId, name, value) {
  try {
    sessionStorage.setItem(key(electionId, name), JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, it just forgets on reload.
  }
}

/** @param {string} electionId @param {string} name */
export function remove(electionId, name) {
  try {
    sessionStorage.removeItem(key(electionId, name));
  } catch {
    // ignore
  }
}

/**
 * The voting session, or null when there is none or it has expired.
 * @param {string} electionId
 * `method` is `jpki` for a card session, which casts with the card's signature.
 * @returns {{token: string, credential: string, expires_at: string, method?: string} | null}
 */
export function session(electionId) {
  const found = load(electionId, 'session');
  if (
    !found ||
    typeof found.token !== 'string' ||
    typeof found.credential !== 'string' ||
    typeof found.expires_at !== 'string'
  ) {
    return null;
  }
  return found;
}
