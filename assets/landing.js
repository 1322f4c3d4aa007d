// The start page: open a new session, or go back to one opened before.

import { createEvent, localEvents } from "./api.js";
import { t, tn } from "./i18n.js";
import { relativeAge } from "./rows.js";
import { recentSessions, rememberSession } from "./store.js";
import { $, say, showView } from "./ui.js";

export function showLanding() {
  showView("landing");
  document.body.classList.add("is-landing");
  document.title = t("LanQA: live questions from the room");
  const form = $("#create-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    create(form);
  });
  listRecent();
}

async function create(form) {
  const button = $("#create-event-button");
  const title = form.elements.title.value.trim();
  button.disabled = true;
  try {
    const { id, secret } = await createEvent(title);
    rememberSession({ id, secret, title, created: Date.now() });
    location.assign(`/event/${id}/${secret}`);
  } catch (error) {
    say($(".form-message", form), error.message, "problem");
    button.disabled = false;
  }
}

// On the laptop running LanQA the server lists its live sessions; anywhere
// else (it answers 403) only the ones this browser opened are known.
async function sessions() {
  try {
    return (await localEvents()).map((e) => ({ ...e, created: e.created * 1000 }));
  } catch {
    return recentSessions().filter((s) => s && s.id && s.secret);
  }
}

async function listRecent() {
  const list = await sessions();
  $("#recent").hidden = !list.length;
  $("#recent-list").replaceChildren(...list.map(item));
}

function item(session) {
  const link = document.createElement("a");
  link.href = `/event/${session.id}/${session.secret}`;
  link.textContent = session.title || t("Untitled session");
  const when = document.createElement("span");
  when.className = "when";
  when.textContent = facts(session);
  const entry = document.createElement("li");
  entry.append(link, when);
  return entry;
}

/** "3 questions · opened 5 min. ago", or what of it is known. */
function facts({ questions, created }) {
  const n = typeof questions === "number" ? questions : null;
  const age = created ? relativeAge(created / 1000, Date.now() / 1000) : null;
  if (n !== null && age) {
    return tn("{n} question · opened {age}", "{n} questions · opened {age}", n, { age });
  }
  if (n !== null) return tn("{n} question", "{n} questions", n);
  return age ? t("opened {age}", { age }) : "";
}
