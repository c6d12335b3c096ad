// What went wrong, in words a person reads: never a bare status code.

import { ApiError } from "./api.js";
import { ServerBusy, SignInFailed, SignInNeeded, Unreachable } from "./auth.js";

const FIELDS = { project: "Project", hours: "Hours", year: "Year", week: "Week" };

function fieldErrors(body) {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const lines = Object.entries(body)
    .filter(([field]) => field !== "detail")
    .map(([field, messages]) => {
      const text = [].concat(messages).join(" ");
      return FIELDS[field] ? `${FIELDS[field]}: ${text}` : text;
    });
  return lines.length ? lines.join(" ") : null;
}

const REFUSED = {
  "Insufficient scope": "Your sign-in does not allow this.",
  "Unknown person": "Your sign-in is not linked to a timesheet identity; ask an administrator.",
};

export function inWords(error) {
  if (error instanceof Unreachable) return "The server is unreachable, try again.";
  if (error instanceof ServerBusy) return "The server is busy, try again in a moment.";
  if (error instanceof SignInFailed) return error.message;
  if (error instanceof SignInNeeded) return "Your sign-in has ended; sign in again.";
  if (!(error instanceof ApiError)) {
    console.error(error); // a fault of the page itself: for whoever opens the console
    return "Something went wrong on this page; reload it and try again.";
  }
  const detail = typeof error.body?.detail === "string" ? error.body.detail : "";
  switch (error.status) {
    case 400:
      return fieldErrors(error.body) || detail || "The server did not accept that; check what you typed.";
    case 403:
      return REFUSED[detail] || detail || "You are not allowed to do this.";
    case 404:
      return "That is someone else's entry, or it no longer exists.";
    case 409:
      return "This entry is already approved, so it can no longer change.";
    case 429:
      return "Too many requests at once; wait a moment and try again.";
    default:
      return error.status >= 500
        ? "The server had a problem, try again in a moment."
        : "The server refused this; reload the page and try again.";
  }
}
