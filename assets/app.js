// Entry point: /event/{id} is the guest view, /event/{id}/projector the
// projector view, /event/{id}/{secret} the host view, /live the live sessions
// (where the server sends phones that type the short address), anything else
// the start page. Moving between them is a full page load, so each view starts
// clean.

import { getEvent } from "./api.js";
import { choose, lang, languages } from "./i18n.js";
import { EventView } from "./event.js";
import { showLanding } from "./landing.js";
import { showLive, showNotFound } from "./live.js";
import { ProjectorView } from "./projector.js";
import { banner, pollTrouble, showView } from "./ui.js";

const RETRY_MS = 2000;

function route() {
  const [first, eid, second] = location.pathname.split("/").filter(Boolean);
  if (first === "live") {
    showLive();
  } else if (first !== "event" || !eid) {
    showLanding();
  } else if (second === "projector") {
    // Not a secret: those are exactly 30 letters and digits.
    openEvent(eid, "projector", (id, title) => new ProjectorView(id, title).start());
  } else {
    openEvent(eid, "event", (id, title) => new EventView(id, second, title).start());
  }
}

/** Check that the event exists, then show view and start() it with the id and title. */
async function openEvent(eid, view, start) {
  let event;
  for (;;) {
    try {
      event = await getEvent(eid);
      break;
    } catch (error) {
      if (!pollTrouble(error)) {
        showNotFound();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  banner(null);
  showView(view);
  start(eid.toUpperCase(), event && event.title);
}

/** The language menu: every language LanQA speaks, each in its own words. */
function languageMenu() {
  const menu = document.getElementById("language");
  for (const [code, name] of Object.entries(languages)) {
    menu.add(new Option(name, code, false, code === lang));
  }
  menu.addEventListener("change", () => choose(menu.value));
}

languageMenu();
route();
