// Question rows. Each row is made once per question and updated in place, so
// focus and the scroll position survive a refresh; rows that move slide to
// their new place instead of jumping.

import { clockSkew } from "./api.js";
import { age as ageText, lang, t, tn } from "./i18n.js";
import { ulidMs } from "./order.js";

const calm = matchMedia("(prefers-reduced-motion: reduce)");
const numbers = new Intl.NumberFormat(lang);

/** Server time now, in seconds. */
export const serverNow = () => Date.now() / 1000 + clockSkew();

/** "now", "42 sec. ago", "5 min. ago"…, in the page's language. */
export function relativeAge(when, now = serverNow()) {
  return ageText(Math.max(0, Math.floor(now - when)));
}

/** n as this page's language writes numbers. */
export const number = (n) => numbers.format(n);

/** The time a ULID was made, in whole seconds: a question's `when`. */
export const ulidSeconds = (ulid) => Math.floor(ulidMs(ulid) / 1000);

export class Rows {
  constructor(template) {
    this.template = template;
    this.rows = new Map();
  }

  /** Draw item ({qid, votes, hidden, answered?, review?, highlighted?, reply?, also?,
   * waiting?})
   * with its details and this viewer's state. */
  fill(item, { details, voted, mine, host, like = null }) {
    const row = this.row(item.qid);
    row.classList.toggle("answered", item.answered !== undefined);
    row.classList.toggle("hidden", item.hidden);
    row.classList.toggle("mine", mine);
    // In review (the host's), or the asker's own while it waits for that review.
    row.classList.toggle("review", Boolean(item.review));
    row.classList.toggle("waiting", Boolean(item.waiting));
    row.classList.toggle("highlighted", Boolean(item.highlighted));
    this.fillVote(row, item.votes, voted);
    row.querySelector(".vote").disabled = Boolean(item.review || item.waiting);
    this.fillText(row, details);
    this.fillReply(row, item.reply);
    this.fillAlso(row, item.also || [], host);
    // For the host: the earlier question this one looks like (like: its text), to merge.
    row.querySelector(".like").hidden = !like;
    const likeText = row.querySelector(".like-text");
    if (likeText.dataset.like !== (like || "")) {
      likeText.dataset.like = like || "";
      likeText.replaceChildren(...(like ? isolated(t("Looks like: {text}"), like) : []));
    }
    const actions = row.querySelector(".host-actions");
    actions.hidden = !host;
    if (host) fillActions(actions, item);
    return row;
  }

  fillReply(row, reply) {
    row.classList.toggle("has-reply", Boolean(reply));
    row.querySelector(".reply").hidden = !reply;
    setText(row.querySelector(".reply-text"), reply || "");
  }

  /** The questions merged into this one: "Also asked as: …", a line each; for the
   * host, each with a button that undoes its merge. */
  fillAlso(row, also, host) {
    const box = row.querySelector(".also");
    box.hidden = !also.length;
    const key = JSON.stringify([also, host]);
    if (box.dataset.shown === key) return;
    box.dataset.shown = key;
    box.replaceChildren(...also.map(({ qid, text }) => {
      const item = document.createElement("span");
      item.className = "also-item";
      const line = document.createElement("span");
      line.append(...isolated(t("Also asked as: {text}"), text));
      item.append(line);
      if (host) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "small";
        button.dataset.action = "unmerge";
        button.dataset.also = qid;
        button.textContent = t("Separate");
        button.setAttribute("aria-label", t("Separate again: {text}", { text }));
        item.append(button);
      }
      return item;
    }));
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
    button.title = voted ? t("Retract vote") : t("Vote");
    button.setAttribute("aria-pressed", String(voted));
    const label = voted ? tn("Retract vote, {n} vote", "Retract vote, {n} votes", votes)
      : tn("Vote, {n} vote", "Vote, {n} votes", votes);
    button.setAttribute("aria-label", label);
    setText(button.querySelector(".triangle"), voted ? "▲" : "△");
    setText(button.querySelector("[data-votes]"), number(votes));
  }

  fillText(row, details) {
    const text = row.querySelector(".text");
    text.classList.toggle("loading", !details);
    // textContent, never innerHTML: questions are shown exactly as typed.
    setText(text, details ? details.text : t("Loading…"));
    const age = row.querySelector(".age");
    if (details) {
      age.dataset.when = details.when;
      age.dateTime = new Date(details.when * 1000).toISOString();
      setText(age, relativeAge(details.when));
    }
    const who = row.querySelector(".who");
    who.hidden = !(details && details.who);
    if (details && details.who) byName(who, details.who);
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

/** "by {name}" in element, the name isolated (see isolated()). */
export function byName(element, name) {
  const bdi = element.querySelector("bdi");
  if (bdi && bdi.textContent === name) return;
  element.replaceChildren(...isolated(t("by {name}"), name));
}

/** The nodes of message (translated, values not filled in) with value, its one
 * placeholder, in a <bdi> of its own: a text in another script must not carry the words
 * around it along with its direction ("Also asked as: …" in Arabic, about a question in
 * English). */
export function isolated(message, value) {
  const [before, after = ""] = message.split(/\{\w+\}/);
  const bdi = document.createElement("bdi");
  bdi.textContent = value;
  return [before, bdi, after];
}

/** Set text only when it differs, so an unchanged row causes no redraw. */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

// The host's buttons for the state the question is in: in review it is approved or
// hidden; open, it can be the one now answered, answered, replied to or hidden.
function fillActions(actions, item) {
  const answered = item.answered !== undefined;
  const review = Boolean(item.review);
  const open = !answered && !item.hidden && !review;
  const highlight = actions.querySelector(".act-highlight");
  highlight.hidden = !open;
  setText(highlight, item.highlighted ? t("Stop") : t("Now answering"));
  const title = item.highlighted ? t("Stop showing this question as the one you are answering")
    : t("Show this question on the phones and the projector as the one you are answering now");
  if (highlight.title !== title) highlight.title = title;
  const answer = actions.querySelector(".act-answer");
  answer.hidden = review && item.hidden; // unhidden first, it goes back to review
  const [action, label] = review ? ["approve", t("Approve")]
    : answered ? ["mark_not_answered", t("Mark as not answered")]
      : ["mark_answered", t("Mark as answered")];
  setAction(answer, action, label);
  const reply = actions.querySelector(".act-reply");
  reply.hidden = review || item.hidden;
  setText(reply, item.reply ? t("Edit reply") : t("Reply"));
  const hide = actions.querySelector(".act-hide");
  setAction(hide, item.hidden ? "unhide" : "hide", item.hidden ? t("Unhide") : t("Hide"));
}

function setAction(button, action, label) {
  if (button.dataset.action !== action) button.dataset.action = action;
  if (label !== undefined) setText(button, label);
}
