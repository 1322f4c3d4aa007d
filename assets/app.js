// Entry point: /event/{id} is the guest view, /event/{id}/{secret} the host
// view, anything else the start page. Moving between them is a full page
// load, so each view starts clean.

import { getEvent } from "./api.js";
import { EventView } from "./event.js";
import { showLanding } from "./landing.js";
import { banner, showView } from "./ui.js";

const RETRY_MS = 2000;

function route() {
  const [first, eid, secret] = location.pathname.split("/").filter(Boolean);
  if (first === "event" && eid) openEvent(eid, secret);
  else showLanding();
}

async function openEvent(eid, secret) {
  let event;
  for (;;) {
    try {
      event = await getEvent(eid);
      break;
    } catch (error) {
      if (error.status !== 0 && error.status < 500) {
        showLanding();
        banner("Event not found. Check the link, or open a new session below.");
        return;
      }
      banner(error.status ? `${error.message} Retrying…` : "Lost connection, retrying…");
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  banner(null);
  showView("event");
  new EventView(eid.toUpperCase(), secret, event && event.title).start();
}

route();
