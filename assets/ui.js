// Small page-wide helpers: finding elements and telling people what happened.

import { t } from "./i18n.js";

export const $ = (selector, root = document) => root.querySelector(selector);

const NOTICE_MS = 6000;
export const LOST = t("Lost connection, retrying…");
let noticeTimer = null;

/** The banner at the top: connection trouble and the like; null clears it. */
export function banner(text, kind = "problem") {
  const element = $("#banner");
  element.hidden = !text;
  element.className = `banner ${kind}`;
  if (element.textContent !== (text || "")) element.textContent = text || "";
}

/** A failed poll that asking again may help (no answer, the server in trouble or
 * busy): the banner says so, and the next poll that gets through clears it. False
 * when asking again will not help (the session is gone, the link is wrong). */
export function pollTrouble(error) {
  if (error.status !== 0 && error.status < 500 && error.status !== 429) return false;
  banner(error.status ? t("{reason} Retrying…", { reason: error.message }) : LOST);
  return true;
}

/** An action that got no answer at all: one message, the banner's (which the next poll
 * that gets through clears), rather than one more beside it; text says more than LOST
 * if need be (a whole sentence, LOST's words included). True if so. */
export function offline(error, text = LOST) {
  if (error.status !== 0) return false;
  banner(text);
  document.body.classList.add("offline");
  return true;
}

/** A short-lived message at the bottom, for an action that failed. */
export function notice(text) {
  const element = $("#notice");
  element.textContent = text;
  element.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (element.hidden = true), NOTICE_MS);
}

/** A message next to a form: kind is "problem" or "ok"; an ok one fades unless fade is false. */
export function say(element, text, kind, { fade = kind === "ok" } = {}) {
  clearTimeout(element.fadeTimer);
  element.textContent = text;
  element.className = `form-message ${kind}`;
  element.hidden = !text;
  if (fade) element.fadeTimer = setTimeout(() => (element.hidden = true), NOTICE_MS);
}

/** Show one of the page's views (landing, event or projector) and hide the others. */
export function showView(id) {
  for (const view of document.querySelectorAll("[data-view]")) view.hidden = view.id !== id;
}
