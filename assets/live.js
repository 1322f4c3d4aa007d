// The audience's way in by typing: the short address (http://IP:PORT/) takes a
// phone to the one live session, or here (/live) when there are several or
// none: the list of them, or word that none is open yet. A wrong or expired
// link shows the same page with what went wrong and the short address. Never
// the start screen: that is the laptop's.

import { liveEvents } from "./api.js";
import { t, tn } from "./i18n.js";
import { relativeAge } from "./rows.js";
import { $, banner, showView } from "./ui.js";

const REFRESH_MS = 5000;
const TEXT = {
  page: t("LanQA: sessions open now"),
  title: t("Choose your session"),
  lead: t("These Q&A sessions are open on this network. Tap yours."),
  noneTitle: t("No session is open yet"),
  noneLead: t("Ask the speaker for the link, or keep this page open: the session shows up here as soon as it starts."),
  lostPage: t("LanQA: session not found"),
  lostTitle: t("This session was not found"),
  lostLead: t("The link may have a typo, or the session has ended. Type this address to see the sessions open now:"),
  untitled: t("Untitled session"),
  facts: (n, age) => tn("{n} question · opened {age}", "{n} questions · opened {age}", n, { age }),
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
    TEXT.facts(session.questions, relativeAge(session.created)),
  ]);
  const list = $("#live-list");
  const key = JSON.stringify(items);
  if (list.dataset.shown === key) return; // redrawn only when it changed: a finger may be on it
  list.dataset.shown = key;
  list.replaceChildren(...items.map(item));
}

function item([id, title, facts]) {
  // A title in another script keeps its own direction (the <bdi>), and lines up with
  // the page's words (the <strong> around it).
  const isolated = document.createElement("bdi");
  isolated.textContent = title;
  const name = document.createElement("strong");
  name.append(isolated);
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
