// Small page-wide helpers: finding elements and telling people what happened.

import { t } from "./i18n.js";

export const $ = (selector, root = document) => root.querySelector(selector);

const NOTICE_MS = 6000;
const UNDO_MS = 5000; // how long an action can be taken back from its notice
export const LOST = t("Lost connection, retrying…");
let noticeTimer = null;
let undoing = null; // what the notice's Undo button (or Ctrl+Z) runs, while it shows

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

/** A short-lived message at the bottom, for an action that failed; with undo, for one
 * that its Undo button (or Ctrl+Z) takes back for a few seconds. */
export function notice(text, undo = null) {
  const element = $("#notice");
  if (!element.dataset.wired) wireNotice(element);
  undoing = undo;
  const parts = [text];
  if (undo) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "notice-undo";
    button.textContent = t("Undo");
    button.setAttribute("aria-keyshortcuts", "Control+Z");
    button.addEventListener("click", runUndo);
    parts.push(button);
  }
  element.replaceChildren(...parts);
  element.hidden = false;
  hideNoticeLater();
}

function hideNoticeLater() {
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    $("#notice").hidden = true;
    undoing = null;
  }, undoing ? UNDO_MS : NOTICE_MS);
}

function runUndo() {
  const undo = undoing;
  undoing = null;
  clearTimeout(noticeTimer);
  $("#notice").hidden = true;
  if (undo) undo();
}

// The notice stays while the pointer or the focus is on it, so that its button can be
// reached; Ctrl+Z outside a text box takes back what it offers to.
function wireNotice(element) {
  element.dataset.wired = "1";
  const hold = () => clearTimeout(noticeTimer);
  element.addEventListener("pointerenter", hold);
  element.addEventListener("focusin", hold);
  element.addEventListener("pointerleave", hideNoticeLater);
  element.addEventListener("focusout", hideNoticeLater);
  addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    if (!undoing || typing || event.shiftKey || event.altKey) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      event.preventDefault();
      runUndo();
    }
  });
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
