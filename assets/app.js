// Entry point: /event/{id} is the guest view, /event/{id}/projector the
// projector view, /event/{id}/{secret} the host view, /live the live sessions
// (where the server sends phones that type the short address), anything else
// the start page. Moving between them is a full page load, so each view starts
// clean. Each view's code is imported when it is shown: the server sends each
// page a script with only its own view's modules (lanqa/assets.py).

import { getEvent } from "./api.js";
import { choose, lang, languages } from "./i18n.js";
import { showLive } from "./live.js";
import { pollTrouble, showView } from "./ui.js";

const RETRY_MS = 2000;

async function route() {
  const [first, eid, second] = location.pathname.split("/").filter(Boolean);
  if (first === "live") {
    showLive();
  } else if (first !== "event" || !eid) {
    (await import("./landing.js")).showLanding();
  } else if (second === "projector") {
    // Not a secret: those are exactly 30 letters and digits.
    const { ProjectorView } = await import("./projector.js");
    openEvent(eid, "projector", new ProjectorView(eid.toUpperCase()));
  } else {
    const { EventView } = await import("./event.js");
    openEvent(eid, "event", new EventView(eid.toUpperCase(), second));
  }
}

/** Start the view at once, shown when its first list is here (or it has a problem to
 * show): that list is what a phone waits for, and says if the session is gone. Its
 * title comes when the server gives it. */
async function openEvent(eid, id, view) {
  view.start(() => showView(id));
  for (;;) {
    try {
      view.titled((await getEvent(eid)).title);
      return;
    } catch (error) {
      if (!pollTrouble(error)) return; // the view's own poll says what is wrong
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
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
