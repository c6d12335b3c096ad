// The employees' web app: one week of one person's entries, and a manager's approvals.
// What may be shown comes from the token's scopes (GET /me); what may be done, from the API.

import * as api from "./api.js";
import * as auth from "./auth.js";
import { currentWeek, sameWeek, shiftWeek, weekDates, weekName } from "./weeks.js";
import { inWords } from "./words.js";

const READ = "read:timesheets";
const CREATE = "create:timesheets";
const DELETE = "delete:timesheets";
const APPROVE = "approve:timesheets";

const $ = (id) => document.getElementById(id);

const state = {
  person: null, // GET /me
  scopes: new Set(),
  week: currentWeek(),
  entries: [],
  pending: [],
  editing: null, // { id, project, hours } while an entry is being corrected
};

// --- what is on the screen ----------------------------------------------------------------

function show(id, visible) {
  $(id).hidden = !visible;
}

function say(text) {
  $("error").hidden = true;
  $("message").textContent = text;
  $("message").hidden = !text;
}

function complain(text) {
  $("message").hidden = true;
  $("error").textContent = text;
  $("error").hidden = !text;
}

function screen(name) {
  show("loading", name === "loading");
  show("signed-out", name === "signed-out");
  show("signed-in", name === "signed-in");
  show("who", name === "signed-in");
}

function element(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function button(text, onClick, props = {}) {
  return element("button", { type: "button", textContent: text, onclick: onClick, ...props });
}

// Hours arrive as JSON numbers (7.5): added in hundredths, so 0.1 + 0.2 is 0.3.
const hundredths = (hours) => Math.round(Number(hours) * 100);
const asHours = (amount) => `${amount / 100} h`;

function statusBadge(entry) {
  const status = entry.approved ? "approved" : entry.sent_back_comment ? "sent back" : "pending";
  return element("span", { className: `badge ${status.replace(" ", "-")}`, textContent: status });
}

function entrySummary(entry, who = null) {
  return element(
    "div",
    { className: "entry-main" },
    who && element("span", { className: "person", textContent: who }),
    element("span", { className: "project", textContent: entry.project }),
    element("span", { className: "hours", textContent: asHours(hundredths(entry.hours)) }),
    statusBadge(entry),
  );
}

function myEntry(entry) {
  if (state.editing?.id === entry.id) return correctionForm(entry);
  const actions = element("div", { className: "entry-actions" });
  if (!entry.approved && state.scopes.has(CREATE)) {
    actions.append(
      button("Correct", () => startCorrecting(entry), { className: "quiet", ariaLabel: `Correct ${entry.project}` }),
    );
  }
  if (!entry.approved && state.scopes.has(DELETE)) {
    actions.append(
      button("Delete", () => remove(entry), { className: "quiet danger", ariaLabel: `Delete ${entry.project}` }),
    );
  }
  // Payroll's reason for sending the entry back, until the person corrects it.
  const reason =
    (entry.sent_back_comment || null) &&
    element("p", { className: "sent-back", textContent: `Sent back by payroll: ${entry.sent_back_comment}` });
  return element("li", { className: "entry", dataset: { id: entry.id } }, entrySummary(entry), reason, actions);
}

function correctionForm(entry) {
  const draft = state.editing;
  const project = element("input", { id: `edit-project-${entry.id}`, value: draft.project, autocomplete: "off" });
  project.setAttribute("list", "recent-projects");
  const hours = element("input", { id: `edit-hours-${entry.id}`, value: draft.hours, autocomplete: "off", size: 6 });
  hours.inputMode = "decimal";
  project.oninput = () => (draft.project = project.value);
  hours.oninput = () => (draft.hours = hours.value);
  const form = element(
    "form",
    { className: "fields correction", noValidate: true },
    element(
      "div",
      { className: "field grow" },
      element("label", { htmlFor: project.id, textContent: "Project" }),
      project,
    ),
    element("div", { className: "field" }, element("label", { htmlFor: hours.id, textContent: "Hours" }), hours),
    element("button", { type: "submit", textContent: "Save" }),
    button("Cancel", () => stopCorrecting(), { className: "quiet" }),
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    saveCorrection(entry);
  };
  form.onkeydown = (event) => {
    if (event.key === "Escape") stopCorrecting();
  };
  return element("li", { className: "entry editing", dataset: { id: entry.id } }, form);
}

function whose(entry) {
  const person = state.person;
  const own = entry.user_type === person.user_type && entry.user_id === person.user_id;
  return own ? "You" : `${entry.user_type} ${entry.user_id}`;
}

function pendingEntry(entry) {
  const who = whose(entry);
  return element(
    "li",
    { className: "entry", dataset: { id: entry.id } },
    entrySummary(entry, who),
    element(
      "div",
      { className: "entry-actions" },
      button("Approve", () => approve([entry]), { ariaLabel: `Approve ${entry.project} of ${who}` }),
    ),
  );
}

function renderWeek() {
  $("week-name").textContent = weekName(state.week);
  $("week-dates").textContent = weekDates(state.week);
  $("team-week").textContent = weekName(state.week).toLowerCase();
  show("this-week", !sameWeek(state.week, currentWeek()));

  $("entries").replaceChildren(...state.entries.map(myEntry));
  show("no-entries", state.entries.length === 0);
  const total = state.entries.reduce((sum, entry) => sum + hundredths(entry.hours), 0);
  const approved = state.entries.filter((entry) => entry.approved).reduce((sum, e) => sum + hundredths(e.hours), 0);
  $("week-total").textContent = asHours(total);
  $("approved-total").textContent = approved ? `(${asHours(approved)} approved)` : "";

  $("pending").replaceChildren(...state.pending.map(pendingEntry));
  show("no-pending", state.pending.length === 0);
  show("approve-all", state.pending.length > 1);
}

function renderPerson() {
  const person = state.person;
  $("person-name").textContent = person.name || person.username || "";
  show("my-week", state.scopes.has(READ));
  show("add-form", state.scopes.has(CREATE));
  show("team", state.scopes.has(APPROVE));
}

// --- what the person does ---------------------------------------------------------------------

function draft() {
  return {
    week: state.week,
    add: { project: $("add-project").value, hours: $("add-hours").value },
    editing: state.editing,
  };
}

function restore(saved) {
  if (!saved) return;
  if (saved.week?.year && saved.week?.week) state.week = saved.week;
  $("add-project").value = saved.add?.project ?? "";
  $("add-hours").value = saved.add?.hours ?? "";
  state.editing = saved.editing ?? null;
}

let busy = false; // one action at a time: a second click must not add or approve twice

// Runs one action; a sign-in that can no longer be renewed sends the person to sign in
// again, keeping what they typed; any other failure is said in words.
async function act(action) {
  if (busy) return;
  busy = true;
  document.querySelector("main").setAttribute("aria-busy", "true");
  try {
    await action();
  } catch (error) {
    if (error instanceof auth.SignInNeeded) {
      try {
        await auth.signIn({ draft: draft() });
      } catch (failure) {
        complain(inWords(failure));
      }
      return;
    }
    complain(inWords(error));
  } finally {
    busy = false;
    document.querySelector("main").removeAttribute("aria-busy");
  }
}

async function loadWeek() {
  const { year, week } = state.week;
  const own = { user_type: state.person.user_type, user_id: state.person.user_id };
  const [entries, pending] = await Promise.all([
    state.scopes.has(READ) ? api.weekEntries({ ...own, year, week }) : [],
    state.scopes.has(APPROVE) ? api.weekEntries({ year, week, approved: "false" }) : [],
  ]);
  state.entries = entries;
  state.pending = pending;
  renderWeek();
}

async function loadRecentProjects() {
  if (!state.scopes.has(READ)) return;
  const entries = await api.recentEntries({ user_type: state.person.user_type, user_id: state.person.user_id });
  const projects = [...new Set(entries.map((entry) => entry.project))].slice(0, 20);
  $("recent-projects").replaceChildren(...projects.map((project) => element("option", { value: project })));
}

function moveWeek(by) {
  act(async () => {
    const { week: shown, editing } = state;
    state.week = by === 0 ? currentWeek() : shiftWeek(shown, by);
    state.editing = null;
    try {
      await loadWeek();
    } catch (error) {
      Object.assign(state, { week: shown, editing }); // the screen still shows that week
      throw error;
    }
    say("");
  });
}

function startCorrecting(entry) {
  state.editing = { id: entry.id, project: entry.project, hours: String(Number(entry.hours)) };
  renderWeek();
  $(`edit-hours-${entry.id}`).focus();
}

function stopCorrecting() {
  const id = state.editing?.id;
  state.editing = null;
  renderWeek();
  document.querySelector(`#entries [data-id="${id}"] button`)?.focus();
}

function saveCorrection(entry) {
  act(async () => {
    const { project, hours } = state.editing;
    await api.correctEntry(entry.id, { project, hours });
    state.editing = null;
    await loadWeek();
    say(`Corrected: ${project}, ${hours} h.`);
  });
}

function remove(entry) {
  act(async () => {
    await api.deleteEntry(entry.id);
    await loadWeek();
    say(`Deleted: ${entry.project}.`);
  });
}

function add(event) {
  event.preventDefault();
  act(async () => {
    const project = $("add-project").value;
    const hours = $("add-hours").value;
    const { year, week } = state.week;
    // Whose entry it is, the API decides from the token.
    await api.addEntry({ project, hours, year, week });
    $("add-project").value = "";
    $("add-hours").value = "";
    await Promise.all([loadWeek(), loadRecentProjects()]);
    say(`Added: ${project}, ${hours} h.`);
    $("add-project").focus();
  });
}

function approve(entries) {
  act(async () => {
    const refusals = [];
    let approved = 0;
    for (const entry of entries) {
      try {
        await api.approveEntry(entry.id);
        approved += 1;
      } catch (error) {
        if (!(error instanceof api.ApiError)) throw error;
        refusals.push(`${entry.project} (${whose(entry)}) is not approved: ${inWords(error)}`);
      }
    }
    await loadWeek();
    const done = approved ? `Approved ${approved} ${approved === 1 ? "entry" : "entries"}.` : "";
    if (refusals.length) complain([done, ...refusals].filter(Boolean).join(" "));
    else say(done);
  });
}

async function signOut() {
  const told = await auth.signOut();
  Object.assign(state, { person: null, scopes: new Set(), entries: [], pending: [], editing: null });
  $("entries").replaceChildren();
  $("pending").replaceChildren();
  $("recent-projects").replaceChildren();
  $("add-form").reset();
  askPassword = true;
  screen("signed-out");
  if (told) say("You are signed out.");
  else complain("Signed out on this page, but the server is unreachable to end the sign-in; try again later.");
}

// --- starting -------------------------------------------------------------------------------

let askPassword = false; // after a sign-out, or a refused account, the next sign-in asks for it
let carried = null; // a draft that survived a failed return from the sign-in page

async function start() {
  $("sign-in").onclick = () =>
    auth.signIn({ draft: carried, fresh: askPassword }).catch((error) => complain(inWords(error)));
  $("sign-out").onclick = () => signOut();
  $("previous-week").onclick = () => moveWeek(-1);
  $("next-week").onclick = () => moveWeek(1);
  $("this-week").onclick = () => moveWeek(0);
  $("add-form").onsubmit = add;
  $("approve-all").onclick = () => approve(state.pending);

  if (!auth.isEmbedded()) {
    screen("signed-out");
    $("sign-in").disabled = true;
    complain("This server signs people in with another issuer; the web app needs the embedded one.");
    return;
  }
  let returned;
  try {
    returned = await auth.completeSignIn();
  } catch (error) {
    carried = error.draft ?? null;
    askPassword = Boolean(error.anotherAccount);
    screen("signed-out");
    complain(inWords(error));
    return;
  }
  if (!returned) {
    screen("signed-out");
    return;
  }
  await act(async () => {
    state.person = await api.me();
    const scopes = state.person.scopes ?? [];
    state.scopes = new Set(Array.isArray(scopes) ? scopes : String(scopes).split(" "));
    restore(returned.draft);
    renderPerson();
    renderWeek();
    screen("signed-in");
    if (returned.draft) say("You are signed in again; what you had typed is still here.");
    await Promise.all([loadWeek(), loadRecentProjects()]);
  });
  if (!state.person) screen("signed-out");
}

start();
