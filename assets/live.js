// The audience's way in by typing: the short address (http://IP:PORT/) takes a
// phone to the one live session, or here (/live) when there are several or
// none: the list of them, or word that none is open yet. A wrong or expired
// link shows the same page with what went wrong and the short address. Never
// the start screen: that is the laptop's.

import { liveEvents } from "./api.js";
import { relativeAge } from "./rows.js";
import { $, banner, showView } from "./ui.js";

const REFRESH_MS = 5000;
const TEXT = {
  page: "LanQA: sessions open now",
  title: "Choose your session",
  lead: "These Q&A sessions are open on this network. Tap yours.",
  noneTitle: "No session is open yet",
  noneLead: "Ask the speaker for the link, or keep this page open: "
    + "the session shows up here as soon as it starts.",
  lostPage: "LanQA: session not found",
  lostTitle: "This session was not found",
  lostLead: "The link may have a typo, or the session has ended. "
    + "Type this address to see the sessions open now:",
  untitled: "Untitled session",
  questions: (n) => `${n} ${n === 1 ? "question" : "questions"}`,
  opened: (age) => `opened ${age}`,
};

/** The list of live sessions, kept up to date while the page is visible. */
export function showLive() {
  enter(TEXT.page);
  refresh();
}

/** A link that leads to no session: say so, and point to the short address. */
export function showNotFound() {
  enter(TEXT.lostPage);
  say(TEXT.lostTitle, TEXT.lostLead);
  const address = $("#live-address");
  address.textContent = location.host;
  address.hidden = false;
}

function enter(title) {
  showView("live");
  document.body.classList.add("is-live");
  document.title = title;
}

function say(title, lead) {
  $("#live-title").textContent = title;
  $("#live-lead").textContent = lead;
}

async function refresh() {
  if (!document.hidden) {
    try {
      show(await liveEvents());
      banner(null);
    } catch (error) {
      banner(error.message);
    }
  }
  setTimeout(refresh, REFRESH_MS);
}

function show(sessions) {
  say(...(sessions.length ? [TEXT.title, TEXT.lead] : [TEXT.noneTitle, TEXT.noneLead]));
  const items = sessions.map((session) => [
    session.id,
    session.title || TEXT.untitled,
    `${TEXT.questions(session.questions)} · ${TEXT.opened(relativeAge(session.created))}`,
  ]);
  const list = $("#live-list");
  const key = JSON.stringify(items);
  if (list.dataset.shown === key) return; // redrawn only when it changed: a finger may be on it
  list.dataset.shown = key;
  list.replaceChildren(...items.map(item));
}

function item([id, title, facts]) {
  const name = document.createElement("strong");
  name.dir = "auto";
  name.textContent = title;
  const when = document.createElement("span");
  when.className = "when";
  when.textContent = facts;
  const link = document.createElement("a");
  link.href = `/event/${id}`;
  link.append(name, when);
  const entry = document.createElement("li");
  entry.append(link);
  return entry;
}
