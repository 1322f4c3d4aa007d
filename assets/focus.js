// Where the keyboard's focus goes when the host's action takes a question out of its
// section (answered, hidden, approved): on to the next question there, or the one
// before if it was the last; never along with the row to the bottom of the page.

import { $ } from "./ui.js";

/** A function that finds, once row has left its list, the row to go on with. */
export function nextRow(row) {
  const list = row.parentElement;
  const siblings = [...list.children];
  const at = siblings.indexOf(row);
  const wanted = siblings[at + 1] || siblings[at - 1];
  return () => {
    if (wanted && wanted.parentElement === list) return wanted;
    const left = [...list.children];
    if (left.length) return left[Math.min(at, left.length - 1)];
    // The section is empty now: the first question on the page.
    return [...document.querySelectorAll("#lists li.question")]
      .find((other) => other !== row && other.getClientRects().length) || null;
  };
}

/** Put the focus on row: on its button for action if it shows one. */
export function focusRow(row, action) {
  if (!row) {
    $("#main").focus({ preventScroll: true });
    return;
  }
  const buttons = [...row.querySelectorAll("button")]
    .filter((button) => !button.disabled && button.getClientRects().length);
  const target = buttons.find((button) => button.dataset.action === action)
    || buttons.find((button) => button.closest(".host-actions")) || buttons[0];
  if (!target) return;
  // Scrolled no further than needed: a list scrolled far pauses its updates.
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "nearest" });
}
