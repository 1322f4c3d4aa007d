// One event's page, for guests and for the host: the lists, live updates, and
// the viewer's own actions (ask, vote; the host's review, now answering, answer,
// reply, hide). What is shown is the last list from the server with this viewer's
// recent actions on top.

import * as api from "./api.js";
import { askForm } from "./ask.js";
import { AskerNews, published, withWaiting } from "./asker.js";
import { LocalChanges, TOGGLES } from "./changes.js";
import { DetailsLoader } from "./details.js";
import { focusRow, nextRow } from "./focus.js";
import { GUEST_LAG_MS, HeldList } from "./held.js";
import { t, tn } from "./i18n.js";
import { showNotFound } from "./live.js";
import { Poller } from "./poller.js";
import { Rows, ulidSeconds } from "./rows.js";
import { sections } from "./sections.js";
import { similarQuestions } from "./similar.js";
import { EventStore, rememberSession } from "./store.js";
import { $, banner, notice, offline, pollTrouble } from "./ui.js";

const HOST_POLL_MS = 1000;
const GUEST_POLL_MS = 2000;
const AGE_TICK_MS = 3000;
const PAGE = 30; // pending questions shown at first, and added by "Show more"
const FOLD_ANSWERED = 5; // more answered questions than this start folded
const MARK_MS = 5000; // how long a question just asked stays marked

export class EventView {
  constructor(eid, secret) {
    Object.assign(this, { eid, secret, title: null, host: Boolean(secret) });
    this.store = new EventStore(eid);
    this.rows = new Rows($("#question-template"));
    this.server = null; // the last list from the server
    this.held = new HeldList();
    this.local = new LocalChanges(this.host ? 0 : GUEST_LAG_MS);
    this.busy = new Set(); // questions with a vote or toggle on its way
    this.order = "popular"; // or "recent": newest first
    this.shownPending = PAGE;
    this.answeredFolded = null; // decided when the first answered question shows
    this.justAsked = null; // the question this guest just asked, until it is shown
    this.shownKey = null;
    this.moderation = false; // the host's: new questions wait in Review
    this.closed = false;
    const texts = secret ? (qids, fresh) => api.hostQuestionDetails(eid, secret, qids, fresh)
      : api.questionDetails;
    this.details = new DetailsLoader(this.store, texts, () => this.render());
  }

  /** shown() puts the view on screen: once there is something to show. */
  async start(shown) {
    this.shown = shown;
    this.heading();
    $("#event").addEventListener("click", (event) => this.onClick(event));
    if (this.host) {
      // The host's tools: only the host's page has their code (lanqa/assets.py).
      const [{ sharePanel }, { SessionControls }, { ReplyBox }, { HostTools }] =
        await Promise.all([import("./share.js"), import("./session.js"), import("./reply.js"),
          import("./moderate.js")]);
      sharePanel($("#share-panel"), this.eid, this.secret);
      this.tools = new HostTools(this);
      this.session = new SessionControls($("#share-panel"), this.eid, this.secret, {
        onChange: (settings) => this.onSettings(settings),
        onDeleted: () => this.poller.stop(),
      });
      this.session.start();
      this.replies = new ReplyBox($("#reply-template"), (qid, text) => this.reply(qid, text));
    } else {
      askForm($("#ask-form"), this.eid, (...asked) => this.onAsked(...asked),
        () => this.poller.now());
      similarQuestions($("#ask-form"), this.eid, (qid) => Boolean(this.store.votedFor[qid]));
      this.news = new AskerNews(this.store);
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

  /** The session's title, once the server gave it. */
  titled(title) {
    this.title = title;
    this.showTitle();
    if (this.host && this.server !== null) this.remember();
  }

  heading() {
    this.showTitle();
    $("#role-badge").hidden = !this.host;
    $("#share-panel").hidden = !this.host;
    $("#ask-form").hidden = this.host;
    $("#hidden-questions").hidden = true;
    document.body.classList.toggle("is-host", this.host);
  }

  showTitle() {
    const fallback = this.host ? t("Your Q&A session") : t("Ask the speaker");
    $("#event-title").textContent = this.title || fallback;
    const title = this.title || t("Live Q&A");
    document.title = this.host ? t("Host: {title} · LanQA", { title }) : `${title} · LanQA`;
  }

  async poll() {
    const mark = this.local.mark();
    // New questions come with their texts; on a first poll, unless this browser has
    // them already (a reload): then it asks for only the ones it lacks.
    const texts = this.server !== null || !Object.keys(this.store.questions).length;
    let fresh;
    try {
      fresh = await api.listChanges(this.eid, this.secret, this.held.version, texts);
    } catch (error) {
      this.pollFailed(error);
      return;
    }
    this.connected();
    if (fresh && fresh.texts) this.details.keep(fresh.texts);
    if (fresh) this.accept(this.held.apply(fresh), this.held.closed);
    // A 304 that settles none of this viewer's actions leaves the screen as it is.
    if (this.local.settle(mark) || fresh) this.render(true);
    if (fresh && this.news) this.news.check(this.server);
  }

  accept(list, closed) {
    if (this.server === null) this.shown();
    if (this.server === null && this.host) this.remember();
    this.server = list;
    this.store.followMerges(list);
    if (this.session) {
      this.session.closed(closed);
    } else {
      published(list, this.store);
      this.showClosed(closed);
    }
  }

  remember() {
    const { eid: id, secret, title } = this;
    rememberSession({ id, secret, title: title || "", created: Date.now() });
  }

  // Closed: guests read and vote, and the ask form gives way to a note (what was typed
  // in it stays, for when the questions open again).
  showClosed(closed) {
    if (closed === this.closed) return;
    this.closed = closed;
    $("#ask-form").hidden = closed;
    $("#ask-closed").hidden = !closed;
    if (!closed) $("#ask-message").hidden = true; // "closed", said to a refused question
  }

  onSettings({ moderation }) {
    this.moderation = moderation;
    this.render();
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
    // Gone (deleted, or expired) while this page looked at it.
    if (error.status === 404) {
      showNotFound();
      return;
    }
    this.shown();
    $("#share-panel").hidden = true;
    $("#ask-form").hidden = true;
    $("#ask-closed").hidden = true;
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
    let items = this.listed();
    if (!this.host && this.server !== null) items = withWaiting(items, this.store);
    const key = JSON.stringify([items, this.moderation]);
    if (onlyIfChanged && key === this.shownKey) return;
    this.shownKey = key;
    // Long lists show a page at a time; the question just asked, and the asker's
    // questions waiting for review, are always in it.
    const keep = (q) => q.qid === this.justAsked || q.waiting;
    const { review, now, pending, more, answered, hidden } = sections(items,
      { order: this.order, shown: this.shownPending, keep });
    this.details.want(items.filter((q) => !q.waiting).map((q) => q.qid));
    this.rows.arrange(() => {
      this.section("#review-questions", review, this.moderation);
      this.section("#now-questions", now);
      this.section("#pending-questions", pending, true);
      this.section("#answered-questions", answered);
      this.section("#hidden-questions", hidden);
    });
    const waiting = pending.filter((q) => q.waiting).length;
    this.counts(now.length + pending.length - waiting + more, answered.length,
      hidden.length, review.length);
    $("#pending-empty").hidden = now.length + pending.length > 0;
    const button = $("#pending-more");
    button.hidden = !more;
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
  // from the server (where the ranking may put it well away from where it first shows),
  // or is known to wait for review (and stays where it is).
  showJustAsked() {
    const row = this.justAsked && this.rows.rows.get(this.justAsked);
    if (!row || !row.isConnected) return;
    this.poller.pageScrolls();
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    if (!this.local.newQuestions.has(this.justAsked)) this.justAsked = null;
  }

  /** Fill the section of selector with items; an empty one hides, unless keep. */
  section(selector, items, keep = false) {
    const section = $(selector);
    const listed = new Set((this.server || []).map((q) => q.qid));
    for (const item of items) {
      const like = item.like && listed.has(item.like) && this.store.questions[item.like];
      this.rows.fill(item, {
        details: this.store.questions[item.qid],
        voted: Boolean(this.store.votedFor[item.qid]),
        mine: Boolean(this.store.asked[item.qid]),
        host: this.host,
        like: like ? like.text : null,
      });
    }
    this.rows.place($("ol", section), items.map((q) => q.qid));
    section.hidden = !items.length && !keep;
  }

  counts(pending, answered, hidden, review) {
    $("#pending-count").textContent = pending ? tn("({n})", "({n})", pending) : "";
    const total = answered + pending;
    $("#answered-count").textContent = t("{answered} / {total}", { answered, total });
    $("#answered-count").title = t("{answered} of {total} questions answered", { answered, total });
    $("#hidden-count").textContent = hidden ? tn("({n})", "({n})", hidden) : "";
    $("#review-count").textContent = review ? tn("({n})", "({n})", review) : "";
    $("#review-empty").hidden = review > 0;
    const empty = $("#pending-empty");
    empty.textContent = answered ? t("No unanswered questions.")
      : this.host ? t("No questions yet. Share the link: they will appear here.")
        : t("No questions yet. Be the first to ask!");
  }

  onClick(event) {
    const button = event.target.closest("[data-action]");
    const row = button && button.closest("[data-qid]");
    if (!row) return;
    const qid = row.dataset.qid;
    const actions = {
      upvote: () => this.vote(qid, true),
      downvote: () => this.vote(qid, false),
      mark_answered: () => this.leave(row, "mark_answered", "answered", t("Marked as answered.")),
      mark_not_answered: () => this.toggle(qid, "answered", false),
      hide: () => this.leave(row, "hide", "hidden", t("Question hidden.")),
      unhide: () => this.toggle(qid, "hidden", false),
      approve: () => this.leave(row, "approve", "approved",
        t("Question approved: everyone can see it now.")),
      highlight: () => this.toggle(qid, "highlighted", !row.classList.contains("highlighted")),
      reply: () => this.replies.open(row, (this.item(qid) || {}).reply),
      block: () => this.tools.block(button, qid),
      select: () => this.tools.select(qid, button.checked),
      merge_like: () => this.tools.mergeInto(qid, (this.item(qid) || {}).like),
      unmerge: () => this.tools.unmerge([button.dataset.also]),
    };
    const action = actions[button.dataset.action];
    if (action) action();
  }

  /** The list as shown now: the server's with this viewer's changes. */
  listed() {
    return this.local.apply(this.server || []);
  }

  /** The question qid as shown now. */
  item(qid) {
    return this.listed().find((q) => q.qid === qid);
  }

  // Mark as answered, Hide and Approve take the question out of its section: the focus
  // goes to the next question there (or the one before, if it was the last), and a
  // notice offers to put it back exactly as it was, for a few seconds.
  leave(row, action, prop, message) {
    const qid = row.dataset.qid;
    if (this.busy.has(qid)) return;
    const before = this.item(qid);
    const next = nextRow(row);
    const done = this.toggle(qid, prop, true);
    focusRow(next(), action);
    notice(message, async () => {
      if (await done) this.putBack(qid, prop, before, action);
    });
  }

  async putBack(qid, prop, before, action) {
    const done = this.toggle(qid, prop, false);
    const row = this.rows.rows.get(qid);
    if (row && row.isConnected) focusRow(row, action);
    // Answering a question ends its "now answering": undone, it is again.
    if ((await done) && before && before.highlighted && !(this.item(qid) || {}).highlighted) {
      this.toggle(qid, "highlighted", true);
    }
  }

  onAsked(qid, text, who, review) {
    this.store.questions[qid] = { text, when: ulidSeconds(qid), who: who || undefined };
    this.store.votedFor[qid] = true; // the server counts the asker's vote already
    this.store.asked[qid] = true;
    // Kept for review: shown to this asker alone, until a list shows it to everyone.
    if (review) this.store.waiting[qid] = true;
    this.store.save();
    if (!review) this.local.addQuestion(qid);
    this.justAsked = qid;
    this.render();
    const row = this.rows.row(qid);
    row.classList.add("just-asked");
    setTimeout(() => row.classList.remove("just-asked"), MARK_MS);
  }

  async vote(qid, up) {
    if (this.busy.has(qid)) return;
    const shown = this.item(qid);
    this.setVoted(qid, up);
    const patch = this.patch(qid, "votes", Math.max(0, (shown ? shown.votes : 0) + (up ? 1 : -1)));
    const undo = () => this.setVoted(qid, !up);
    await this.act(qid, patch, () => api.vote(qid, up), (result) => result.votes, { undo });
  }

  /** Turn the host's prop (hidden, answered, approved, highlighted) on or off; resolves
   * true once the server did. */
  async toggle(qid, prop, on) {
    if (this.busy.has(qid)) return false;
    const { field, shown, read } = TOGGLES[prop];
    const alongside = this.alongside(qid, prop, on);
    const patch = this.patch(qid, field, shown(on));
    const send = () => api.toggle(this.eid, this.secret, qid, prop, on);
    return this.act(qid, patch, send, read, { alongside });
  }

  // What the server changes along with prop, shown at once too: one question is
  // "now answering" at a time, and an answered one no longer is.
  alongside(qid, prop, on) {
    if (!on) return [];
    const lit = this.listed().filter((q) => q.highlighted);
    const ending = prop === "highlighted" ? lit.filter((q) => q.qid !== qid)
      : prop === "answered" ? lit.filter((q) => q.qid === qid) : [];
    return ending.map((q) => this.local.add(q.qid, "highlighted", null));
  }

  /** The host's reply under qid ("" removes it); resolves true once saved. */
  async reply(qid, text) {
    if (this.busy.has(qid)) return false;
    const patch = this.patch(qid, "reply", text || null);
    const send = () => api.reply(this.eid, this.secret, qid, text);
    return this.act(qid, patch, send, (result) => result.reply || null);
  }

  patch(qid, field, value) {
    const patch = this.local.add(qid, field, value);
    this.render();
    return patch;
  }

  // Show the action (and what it changes alongside) at once, then settle it with the
  // server's answer, or undo it and say why it failed. True if it went through.
  async act(qid, patch, send, read, { undo = () => {}, alongside = [] } = {}) {
    this.busy.add(qid);
    try {
      this.local.finish(patch, read(await send()));
      for (const other of alongside) this.local.finish(other, other.value);
      return true;
    } catch (error) {
      for (const dropped of [patch, ...alongside]) this.local.drop(dropped);
      undo();
      if (!offline(error)) notice(error.message);
      return false;
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

