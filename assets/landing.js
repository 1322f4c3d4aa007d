// The start page: open a new session, or go back to one opened before.

import { createEvent, localEvents } from "./api.js";
import { relativeAge } from "./rows.js";
import { recentSessions, rememberSession } from "./store.js";
import { $, say, showView } from "./ui.js";

export function showLanding() {
  showView("landing");
  document.body.classList.add("is-landing");
  document.title = "LanQA: live questions from the room";
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
  link.textContent = session.title || "Untitled session";
  const facts = [];
  if (typeof session.questions === "number") {
    facts.push(`${session.questions} ${session.questions === 1 ? "question" : "questions"}`);
  }
  if (session.created) {
    facts.push(`opened ${relativeAge(session.created / 1000, Date.now() / 1000)}`);
  }
  const when = document.createElement("span");
  when.className = "when";
  when.textContent = facts.join(" · ");
  const entry = document.createElement("li");
  entry.append(link, when);
  return entry;
}
