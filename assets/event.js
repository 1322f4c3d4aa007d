// One event's page, for guests and for the host: the lists, live updates, and
// the viewer's own actions (ask, vote, answer, hide). What is shown is the last
// list from the server with this viewer's recent actions on top.

import * as api from "./api.js";
import { askForm } from "./ask.js";
import { LocalChanges } from "./changes.js";
import { DetailsLoader } from "./details.js";
import { t, tn } from "./i18n.js";
import { Poller } from "./poller.js";
import { Rows, serverNow, ulidSeconds } from "./rows.js";
import { sharePanel } from "./share.js";
import { EventStore, rememberSession } from "./store.js";
import { $, banner, notice, offline, pollTrouble } from "./ui.js";

const HOST_POLL_MS = 1000;
const GUEST_POLL_MS = 2000;
const AGE_TICK_MS = 3000;
const HIDE_BATCH = 25; // question ids the server takes in one request
const ARMED_MS = 4000; // how long "Block device" waits for its second tap
const PAGE = 30; // pending questions shown at first, and added by "Show more"
const FOLD_ANSWERED = 5; // more answered questions than this start folded
const MARK_MS = 5000; // how long a question just asked stays marked

export class EventView {
  constructor(eid, secret, title) {
    Object.assign(this, { eid, secret, title, host: Boolean(secret) });
    this.store = new EventStore(eid);
    this.rows = new Rows($("#question-template"));
    this.server = null; // the last list from the server
    this.etag = null;
    this.local = new LocalChanges();
    this.busy = new Set(); // questions with a vote or toggle on its way
    this.selected = new Set(); // questions the host ticked, to hide at once
    this.order = "popular"; // or "recent": newest first
    this.shownPending = PAGE;
    this.answeredFolded = null; // decided when the first answered question shows
    this.justAsked = null; // the question this guest just asked, until it is shown
    this.shownKey = null;
    const texts = secret ? (qids, fresh) => api.hostQuestionDetails(eid, secret, qids, fresh)
      : api.questionDetails;
    this.details = new DetailsLoader(this.store, texts, () => this.render());
  }

  start() {
    this.heading();
    $("#event").addEventListener("click", (event) => this.onClick(event));
    if (this.host) {
      sharePanel($("#share-panel"), this.eid, this.secret);
      $("#hide-selected").addEventListener("click", () => this.hideSelected());
    } else {
      askForm($("#ask-form"), this.eid, (qid, text, who) => this.onAsked(qid, text, who));
    }
    for (const button of document.querySelectorAll("[data-order]")) {
      button.addEventListener("click", () => this.setOrder(button.dataset.order));
    }
    $("#pending-more").addEventListener("click", () => {
      this.shownPending += PAGE;
      this.render();
    });
    $("#answered-fold").querySelector("summary").addEventListener("click", () => {
      this.answeredFolded = $("#answered-fold").open; // about to toggle
    });
    $("#resume-button").addEventListener("click", () => this.poller.resume());
    this.store.watch(() => this.render());
    setInterval(() => this.rows.tick(), AGE_TICK_MS);
    this.poller = new Poller({
      tick: () => this.poll(),
      interval: this.host ? HOST_POLL_MS : GUEST_POLL_MS,
      button: $("#toggle-updates-button"),
      onChange: (paused) => this.showPaused(paused),
    });
    this.poller.start();
  }

  heading() {
    const fallback = this.host ? t("Your Q&A session") : t("Ask the speaker");
    $("#event-title").textContent = this.title || fallback;
    $("#role-badge").hidden = !this.host;
    $("#share-panel").hidden = !this.host;
    $("#ask-form").hidden = this.host;
    $("#hidden-questions").hidden = true;
    const title = this.title || t("Live Q&A");
    document.title = this.host ? t("Host: {title} · LanQA", { title }) : `${title} · LanQA`;
    document.body.classList.toggle("is-host", this.host);
  }

  async poll() {
    const mark = this.local.mark();
    let fresh;
    try {
      fresh = await api.listQuestions(this.eid, this.secret, this.etag);
    } catch (error) {
      this.pollFailed(error);
      return;
    }
    this.connected();
    if (fresh) this.accept(fresh);
    // A 304 that settles none of this viewer's actions leaves the screen as it is.
    if (this.local.settle(mark) || fresh) this.render(true);
  }

  accept({ list, etag }) {
    if (!Array.isArray(list)) return;
    if (this.server === null && this.host) {
      const { eid: id, secret, title } = this;
      rememberSession({ id, secret, title: title || "", created: Date.now() });
    }
    this.server = list;
    this.etag = etag;
  }

  pollFailed(error) {
    if (pollTrouble(error)) {
      document.body.classList.add("offline");
      this.showPaused(this.poller.paused);
      return;
    }
    // Any other 4xx will not get better by asking again.
    this.poller.stop();
    this.connected();
    document.body.classList.remove("is-host");
    $("#share-panel").hidden = true;
    $("#ask-form").hidden = true;
    $(".toolbar").hidden = true;
    // The server's sentence says what happened; a wrong host link also gets a headline.
    const problem = $("#list-problem");
    problem.textContent = error.status === 401
      ? t("Permission denied. {reason}", { reason: error.message }) : error.message;
    problem.hidden = false;
    $("#lists").hidden = true;
  }

  connected() {
    banner(null);
    document.body.classList.remove("offline");
    this.showPaused(this.poller.paused);
  }

  showPaused(paused) {
    const offline = document.body.classList.contains("offline");
    $("#toggle-updates-button").textContent = paused ? t("Resume updates") : t("Pause updates");
    $("#live-text").textContent = paused ? t("Updates paused")
      : offline ? t("Reconnecting…") : t("Live");
    document.body.classList.toggle("paused", Boolean(paused));
    // Paused by scrolling, the toolbar is out of sight: this bar stays in view.
    $("#paused-bar").hidden = !paused;
  }

  setOrder(order) {
    this.order = order;
    for (const button of document.querySelectorAll("[data-order]")) {
      button.setAttribute("aria-pressed", String(button.dataset.order === order));
    }
    this.render();
  }

  /** Redraw; with onlyIfChanged, skip it when the lists are what is already shown. */
  render(onlyIfChanged = false) {
    if (this.server === null && !this.local.newQuestions.size) return;
    const items = this.local.apply(this.server || []);
    const key = JSON.stringify(items);
    if (onlyIfChanged && key === this.shownKey) return;
    this.shownKey = key;
    let pending = items.filter((q) => !q.hidden && q.answered === undefined);
    if (this.order === "recent") pending.sort((a, b) => (a.qid < b.qid ? 1 : -1));
    // Long lists show a page at a time; the question just asked is always in it.
    const mine = pending.findIndex((q) => q.qid === this.justAsked);
    const more = pending.length - Math.max(this.shownPending, mine + 1);
    if (more > 0) pending = pending.slice(0, pending.length - more);
    const answered = items.filter((q) => !q.hidden && q.answered !== undefined)
      .sort((a, b) => a.answered - b.answered);
    const hidden = items.filter((q) => q.hidden);
    this.details.want(items.map((q) => q.qid));
    this.rows.arrange(() => {
      this.section("#pending-questions", pending);
      this.section("#answered-questions", answered);
      this.section("#hidden-questions", hidden);
    });
    this.counts(pending.length + Math.max(0, more), answered.length, hidden.length);
    const button = $("#pending-more");
    button.hidden = more <= 0;
    const count = Math.min(more, PAGE);
    button.textContent = tn("Show {count} more ({n} not shown)",
      "Show {count} more ({n} not shown)", more, { count });
    if (this.answeredFolded === null && answered.length) {
      this.answeredFolded = answered.length > FOLD_ANSWERED;
    }
    $("#answered-fold").open = !this.answeredFolded;
    this.showJustAsked();
  }

  // Scroll to the question this guest just asked, once it has its place in the list
  // from the server (where the ranking may put it well away from where it first shows).
  showJustAsked() {
    const row = this.justAsked && this.rows.rows.get(this.justAsked);
    if (!row || !row.isConnected) return;
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    if ((this.server || []).some((q) => q.qid === this.justAsked)) this.justAsked = null;
  }

  section(selector, items) {
    const section = $(selector);
    for (const item of items) {
      this.rows.fill(item, {
        details: this.store.questions[item.qid],
        voted: Boolean(this.store.votedFor[item.qid]),
        mine: Boolean(this.store.asked[item.qid]),
        host: this.host,
      });
    }
    this.rows.place($("ol", section), items.map((q) => q.qid));
    if (section.id !== "pending-questions") section.hidden = !items.length;
  }

  counts(pending, answered, hidden) {
    $("#pending-count").textContent = pending ? tn("({n})", "({n})", pending) : "";
    const total = answered + pending;
    $("#answered-count").textContent = t("{answered} / {total}", { answered, total });
    $("#answered-count").title = t("{answered} of {total} questions answered", { answered, total });
    $("#hidden-count").textContent = hidden ? tn("({n})", "({n})", hidden) : "";
    const empty = $("#pending-empty");
    empty.hidden = pending > 0;
    empty.textContent = answered ? t("No unanswered questions.")
      : this.host ? t("No questions yet. Share the link: they will appear here.")
        : t("No questions yet. Be the first to ask!");
  }

  onClick(event) {
    const button = event.target.closest("[data-action]");
    const row = button && button.closest("[data-qid]");
    if (!row) return;
    const action = button.dataset.action;
    const qid = row.dataset.qid;
    if (action === "upvote" || action === "downvote") this.vote(qid, action === "upvote");
    if (action === "mark_answered" || action === "mark_not_answered") {
      this.toggle(qid, "answered", action === "mark_answered");
    }
    if (action === "hide" || action === "unhide") this.toggle(qid, "hidden", action === "hide");
    if (action === "block") this.block(button, qid);
    if (action === "select") this.select(qid, button.checked);
  }

  select(qid, on) {
    if (on) this.selected.add(qid);
    else this.selected.delete(qid);
    const button = $("#hide-selected");
    button.hidden = !this.selected.size;
    button.textContent = tn("Hide selected ({n})", "Hide selected ({n})", this.selected.size);
  }

  async hideSelected() {
    const qids = [...this.selected];
    for (const qid of qids) {
      this.select(qid, false);
      const box = this.rows.row(qid).querySelector("[data-action=select]");
      box.checked = false;
    }
    try {
      let hidden = 0;
      for (let start = 0; start < qids.length; start += HIDE_BATCH) {
        hidden += (await api.hideMany(this.eid, this.secret, qids.slice(start, start + HIDE_BATCH))).hidden;
      }
      notice(tn("{n} question hidden.", "{n} questions hidden.", hidden));
    } catch (error) {
      notice(error.message);
    }
    this.poll();
  }

  // A block cannot be undone from here: the first tap asks, a second one blocks.
  async block(button, qid) {
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = t("Tap again to block");
      setTimeout(() => {
        delete button.dataset.armed;
        button.textContent = t("Block device");
      }, ARMED_MS);
      return;
    }
    delete button.dataset.armed;
    button.textContent = t("Block device");
    try {
      const done = await api.block(this.eid, this.secret, qid);
      // Two counts, each with its own plural (and the words that agree with it).
      notice(t("Device blocked: {questions}, {votes}.", {
        questions: tn("{n} question hidden", "{n} questions hidden", done.hidden),
        votes: tn("{n} vote taken back", "{n} votes taken back", done.votes_removed),
      }));
    } catch (error) {
      notice(error.message);
    }
    this.poll();
  }

  onAsked(qid, text, who) {
    this.store.questions[qid] = { text, when: ulidSeconds(qid), who: who || undefined };
    this.store.votedFor[qid] = true; // the server counts the asker's vote already
    this.store.asked[qid] = true;
    this.store.save();
    this.local.addQuestion(qid);
    this.justAsked = qid;
    this.render();
    const row = this.rows.row(qid);
    row.classList.add("just-asked");
    setTimeout(() => row.classList.remove("just-asked"), MARK_MS);
  }

  async vote(qid, up) {
    if (this.busy.has(qid)) return;
    const shown = this.local.apply(this.server || []).find((q) => q.qid === qid);
    this.setVoted(qid, up);
    const patch = this.patch(qid, "votes", Math.max(0, (shown ? shown.votes : 0) + (up ? 1 : -1)));
    const undo = () => this.setVoted(qid, !up);
    await this.act(qid, patch, () => api.vote(qid, up), (result) => result.votes, undo);
  }

  async toggle(qid, field, on) {
    if (this.busy.has(qid)) return;
    const optimistic = field === "hidden" ? on : (on ? Math.floor(serverNow()) : null);
    const patch = this.patch(qid, field, optimistic);
    const read = (result) => (field === "hidden" ? result.hidden : (result.answered ?? null));
    await this.act(qid, patch, () => api.toggle(this.eid, this.secret, qid, field, on), read);
  }

  patch(qid, field, value) {
    const patch = this.local.add(qid, field, value);
    this.render();
    return patch;
  }

  // Show the action at once, then settle it with the server's answer, or
  // undo it and say why it failed.
  async act(qid, patch, send, read, undo = () => {}) {
    this.busy.add(qid);
    try {
      this.local.finish(patch, read(await send()));
    } catch (error) {
      this.local.drop(patch);
      undo();
      if (!offline(error)) notice(error.message);
    } finally {
      this.busy.delete(qid);
      this.render();
    }
  }

  setVoted(qid, voted) {
    if (voted) this.store.votedFor[qid] = true;
    else delete this.store.votedFor[qid];
    this.store.save();
  }
}
