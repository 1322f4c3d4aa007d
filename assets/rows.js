// Question rows. Each row is made once per question and updated in place, so
// focus and the scroll position survive a refresh; rows that move slide to
// their new place instead of jumping.

import { clockSkew } from "./api.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const calm = matchMedia("(prefers-reduced-motion: reduce)");

/** Server time now, in seconds. */
export const serverNow = () => Date.now() / 1000 + clockSkew;

/** "just now", "42s ago", "5m ago", "2h ago", "3d ago". */
export function relativeAge(when, now = serverNow()) {
  const s = Math.max(0, Math.floor(now - when));
  if (s < 10) return "just now";
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** The time a ULID was made, in whole seconds: a question's `when`. */
export function ulidSeconds(ulid) {
  let ms = 0;
  for (const char of ulid.slice(0, 10).toUpperCase()) ms = ms * 32 + CROCKFORD.indexOf(char);
  return Math.floor(ms / 1000);
}

export class Rows {
  constructor(template) {
    this.template = template;
    this.rows = new Map();
  }

  /** Draw item ({qid, votes, hidden, answered?}) with its details and this viewer's state. */
  fill(item, { details, voted, mine, host }) {
    const row = this.row(item.qid);
    row.classList.toggle("answered", item.answered !== undefined);
    row.classList.toggle("hidden", item.hidden);
    row.classList.toggle("mine", mine);
    this.fillVote(row, item.votes, voted);
    this.fillText(row, details);
    const actions = row.querySelector(".host-actions");
    actions.hidden = !host;
    if (host) {
      const answered = item.answered !== undefined;
      setAction(actions.children[0], answered ? "mark_not_answered" : "mark_answered",
        answered ? "Mark as not answered" : "Mark as answered");
      const hidden = item.hidden;
      setAction(actions.children[1], hidden ? "unhide" : "hide", hidden ? "Unhide" : "Hide");
    }
    return row;
  }

  row(qid) {
    let row = this.rows.get(qid);
    if (!row) {
      row = this.template.content.firstElementChild.cloneNode(true);
      row.dataset.qid = qid;
      this.rows.set(qid, row);
    }
    return row;
  }

  fillVote(row, votes, voted) {
    const button = row.querySelector(".vote");
    setAction(button, voted ? "downvote" : "upvote");
    button.title = voted ? "Retract vote" : "Vote";
    button.setAttribute("aria-pressed", String(voted));
    const label = `${voted ? "Retract vote" : "Vote"}, ${votes} ${votes === 1 ? "vote" : "votes"}`;
    button.setAttribute("aria-label", label);
    setText(button.querySelector(".triangle"), voted ? "▲" : "△");
    setText(button.querySelector("[data-votes]"), String(votes));
  }

  fillText(row, details) {
    const text = row.querySelector(".text");
    text.classList.toggle("loading", !details);
    // textContent, never innerHTML: questions are shown exactly as typed.
    setText(text, details ? details.text : "Loading…");
    const age = row.querySelector(".age");
    if (details) {
      age.dataset.when = details.when;
      age.dateTime = new Date(details.when * 1000).toISOString();
      setText(age, relativeAge(details.when));
    }
    const who = row.querySelector(".who");
    who.hidden = !(details && details.who);
    if (details && details.who) setText(who.querySelector("bdi"), details.who);
  }

  /** Put the rows of qids into list, in that order; the caller places every list. */
  place(list, qids) {
    qids.forEach((qid, index) => {
      const row = this.rows.get(qid);
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
    });
    while (list.children.length > qids.length) list.lastElementChild.remove();
  }

  /** Run draw() (which places rows), then slide moved rows and keep focus. */
  arrange(draw) {
    const focused = document.activeElement;
    const before = this.positions();
    draw();
    for (const [qid, row] of this.rows) if (!row.isConnected) this.rows.delete(qid);
    if (focused && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
    if (!calm.matches) this.slide(before);
  }

  positions() {
    const tops = new Map();
    for (const row of this.rows.values()) {
      const box = row.getBoundingClientRect();
      if (box.height) tops.set(row, box.top);
    }
    return tops;
  }

  // FLIP: start each moved row at its old place and let CSS move it home.
  slide(before) {
    const moved = [];
    for (const [row, top] of before) {
      const box = row.getBoundingClientRect();
      const dy = top - box.top;
      if (!box.height || Math.abs(dy) < 1) continue;
      row.classList.remove("sliding");
      row.style.transform = `translateY(${dy}px)`;
      moved.push(row);
    }
    if (!moved.length) return;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      for (const row of moved) {
        row.classList.add("sliding");
        row.style.transform = "";
      }
    }));
  }

  /** Refresh every "5m ago". */
  tick() {
    const now = serverNow();
    for (const row of this.rows.values()) {
      const age = row.querySelector(".age");
      if (age.dataset.when) setText(age, relativeAge(Number(age.dataset.when), now));
    }
  }
}

/** Set text only when it differs, so an unchanged row causes no redraw. */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setAction(button, action, label) {
  if (button.dataset.action !== action) button.dataset.action = action;
  if (label !== undefined) setText(button, label);
}
