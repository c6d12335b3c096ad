// The public API, called with the person's token. Every rule (whose entries, what may
// change, who approves) is the API's: this module only carries requests and answers.

import { accessToken, renew, SignInNeeded, Unreachable } from "./auth.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function send(method, url, body) {
  const headers = { Authorization: `Bearer ${await accessToken()}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", // the token speaks for the person, not the sign-in page's cookie
      cache: "no-store",
    });
  } catch {
    throw new Unreachable();
  }
}

export async function call(method, url, body) {
  let response = await send(method, url, body);
  if (response.status === 401) {
    // Expired early, or revoked: one renewal, one retry; then the person signs in again.
    await renew();
    response = await send(method, url, body);
    if (response.status === 401) throw new SignInNeeded();
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// Every page of a list (a week holds few entries; the cap keeps a mistake cheap).
export async function listAll(path, filters) {
  let url = `${path}?${new URLSearchParams(filters)}`;
  const results = [];
  for (let page = 0; url && page < 20; page += 1) {
    const answer = await call("GET", url);
    results.push(...answer.results);
    // The same origin's path: behind a proxy the server may name itself by another scheme.
    url = answer.next && ((next) => next.pathname + next.search)(new URL(answer.next, location.origin));
  }
  return results;
}

export const me = () => call("GET", "/me");
export const weekEntries = (filters) => listAll("/timesheets", filters);
export const addEntry = (entry) => call("POST", "/timesheets", entry);
export const correctEntry = (id, changes) => call("PATCH", `/timesheets/${id}`, changes);
export const deleteEntry = (id) => call("DELETE", `/timesheets/${id}`);
export const approveEntry = (id) => call("POST", `/timesheets/${id}/approve`);
export async function recentEntries(identity) {
  const answer = await call("GET", `/timesheets?${new URLSearchParams({ ...identity, ordering: "-id" })}`);
  return answer.results;
}
