// Signing in with the authorization code grant and PKCE (RFC 6749 §4.1, RFC 7636, S256),
// renewing the access token with the refresh token, and signing out (RFC 7009).
//
// Tokens live in this module's variables only: never in localStorage, sessionStorage or a
// cookie, so a reload or a closed tab forgets them. The one thing that must outlive the
// full-page trip to the sign-in page is the PKCE verifier and the `state`, and, when a
// sign-in has to be renewed, what the person had typed: they wait in sessionStorage (this
// tab, this origin) only until the page comes back, and are deleted before the code is
// exchanged. Neither is a token: the verifier is worth something only with a code that
// works once, for this app and this redirect URI.

const config = JSON.parse(document.getElementById("webapp-config").textContent);
const PENDING = "timesheets-web:sign-in";
const SCOPES = "read:timesheets create:timesheets delete:timesheets approve:timesheets";

let tokens = null; // { access, refresh, renewAt }
let renewing = null; // one refresh at a time: a refresh token works once (rotation)

export class SignInNeeded extends Error {}
export class Unreachable extends Error {}
export class SignInFailed extends Error {}
// The token endpoint said "not now" (429, 503): the sign-in still stands; try again shortly.
export class ServerBusy extends Error {}

// 429 and 503 are "not now", not "signed out": the refresh token still works.
const TEMPORARY = new Set([429, 503]);
const MAX_RETRY_WAIT_SECONDS = 30;

export function isEmbedded() {
  return config.embedded;
}

function redirectUri() {
  return new URL(config.redirectPath, location.origin).href;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeFor(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

// Leaves for the sign-in page; `draft` (what the person typed, never a token) comes back.
// `fresh` asks for the password again (after a sign-out, on a shared computer).
export async function signIn({ draft = null, fresh = false } = {}) {
  if (!window.crypto?.subtle) {
    throw new SignInFailed("Signing in needs a secure page (https).");
  }
  const verifier = randomText();
  const state = randomText();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: SCOPES,
    state,
    code_challenge: await challengeFor(verifier),
    code_challenge_method: "S256",
    audience: config.audience,
  });
  if (fresh) query.set("prompt", "login");
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, draft }));
  location.assign(`${config.authorizeUrl}?${query}`);
}

// On the way back from the sign-in page: checks `state`, exchanges the code. Returns null
// when this page load is no such return, else { draft }.
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", config.redirectPath); // the code leaves the address bar
  const draft = pending?.draft ?? null;
  if (!pending || query.get("state") !== pending.state) {
    throw Object.assign(new SignInFailed("That sign-in was not started on this page; sign in again."), { draft });
  }
  if (query.has("iss") && query.get("iss") !== config.issuer) {
    throw Object.assign(new SignInFailed("That sign-in came from another server; sign in again."), { draft });
  }
  if (query.get("error") === "access_denied") {
    // Signed in, but not as a person who logs time (an admin's session, say): the next
    // sign-in must let them choose another account instead of coming straight back.
    const refusal = "That account may not use the web app: it is no person who logs time here. Sign in with another.";
    throw Object.assign(new SignInFailed(refusal), { draft, anotherAccount: true });
  }
  if (query.has("error")) {
    throw Object.assign(new SignInFailed("The sign-in failed; sign in again."), { draft });
  }
  try {
    await tokenRequest({
      grant_type: "authorization_code",
      code: query.get("code"),
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    });
  } catch (error) {
    throw Object.assign(error, { draft });
  }
  return { draft };
}

async function post(url, fields) {
  try {
    return await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new Unreachable();
  }
}

// Seconds to wait before asking again, from Retry-After (seconds or an HTTP date), or null
// when it is missing, unreadable or longer than a person should watch a page wait.
function retryAfterSeconds(response) {
  const value = response.headers.get("Retry-After");
  if (value === null) return 1;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  if (Number.isNaN(seconds)) return 1;
  return seconds <= MAX_RETRY_WAIT_SECONDS ? Math.max(0, seconds) : null;
}

// One token request; a 429 or 503 is waited out once (Retry-After, at most 30 s) and then
// said as ServerBusy, keeping the tokens: only a refusal (400, 401) ends the sign-in.
async function tokenRequest(fields) {
  let response = await post(config.tokenUrl, fields);
  if (TEMPORARY.has(response.status)) {
    const wait = retryAfterSeconds(response);
    if (wait === null) throw new ServerBusy();
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    response = await post(config.tokenUrl, fields);
    if (TEMPORARY.has(response.status)) throw new ServerBusy();
  }
  if (response.status >= 500) throw new Unreachable();
  if (!response.ok) {
    tokens = null;
    throw new SignInNeeded();
  }
  const answer = await response.json();
  const lifetime = (answer.expires_in || 60) * 1000;
  tokens = {
    access: answer.access_token,
    refresh: answer.refresh_token,
    // Renew a little early: a request should not leave with a token about to expire.
    renewAt: Date.now() + lifetime - Math.min(30000, lifetime / 4),
  };
}

export async function renew() {
  if (!tokens?.refresh) throw new SignInNeeded();
  renewing ??= tokenRequest({
    grant_type: "refresh_token",
    refresh_token: tokens.refresh,
    client_id: config.clientId,
  }).finally(() => {
    renewing = null;
  });
  return renewing;
}

export async function accessToken() {
  if (renewing) await renewing;
  if (!tokens) throw new SignInNeeded();
  if (Date.now() >= tokens.renewAt) await renew();
  return tokens.access;
}

export function signedIn() {
  return tokens !== null;
}

// Revokes the refresh token (and with it the sign-in's access tokens) and forgets both.
// Returns false when the server could not be told.
export async function signOut() {
  const refresh = tokens?.refresh;
  tokens = null;
  if (!refresh) return true;
  try {
    const response = await post(config.revokeUrl, {
      token: refresh,
      token_type_hint: "refresh_token",
      client_id: config.clientId,
    });
    return response.ok;
  } catch {
    return false;
  }
}
