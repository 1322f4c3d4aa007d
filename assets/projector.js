// The projector view (/event/{id}/projector), for a second screen the whole
// room reads from afar: the title, a big QR code with the join link and the
// short address to type, the room's Wi-Fi as a second code if the host typed
// it, the question the speaker is answering now (alone, large, with the reply)
// and the top open questions with their votes, live. Nothing on it can be
// clicked but "Full screen": it is for reading, and the speaker acts in the
// host view.

import { listChanges, questionDetails } from "./api.js";
import { DetailsLoader } from "./details.js";
import { GuestLink, shortAddress } from "./guestlink.js";
import { HeldList } from "./held.js";
import { showNotFound } from "./live.js";
import { t, tn } from "./i18n.js";
import { Poller } from "./poller.js";
import { Rows, byName, isolated, number, setText } from "./rows.js";
import { $, banner, notice, pollTrouble } from "./ui.js";
import { followWifi } from "./wifi.js";

const POLL_MS = 1000; // one screen on the laptop itself: it can afford the host's pace
const TOP = 5;
const IDLE_MS = 3000;

/** Projector rows: the vote count and the text, no buttons. */
class ProjectorRows extends Rows {
  fill(item, details) {
    const row = this.row(item.qid);
    setText(row.querySelector("[data-votes]"), number(item.votes));
    // The unit alone, under the number: the number is drawn large on its own.
    setText(row.querySelector(".projector-unit"), tn("vote", "votes", item.votes));
    setText(row.querySelector(".projector-text"), details.text);
    const who = row.querySelector(".projector-who");
    who.hidden = !details.who;
    if (details.who) byName(who, details.who);
    const also = row.querySelector(".projector-also");
    const texts = (item.also || []).map(({ text }) => text);
    also.hidden = !texts.length;
    if (also.dataset.shown !== JSON.stringify(texts)) {
      also.dataset.shown = JSON.stringify(texts);
      also.replaceChildren(...texts.flatMap((text, i) =>
        [...(i ? ["\n"] : []), ...isolated(t("Also asked as: {text}"), text)]));
    }
  }
}

export class ProjectorView {
  constructor(eid) {
    this.eid = eid;
    this.list = null;
    this.held = new HeldList();
    this.shownKey = null;
    this.lan = false;
    this.wifi = null;
    this.rows = new ProjectorRows($("#projector-template"));
    // Texts in memory only: writing the browser's per-event store from here
    // could undo what a guest or host tab of the same event saved meanwhile.
    this.texts = { questions: {}, save() {} };
    this.details = new DetailsLoader(this.texts, questionDetails, () => this.render());
  }

  /** shown() puts the view on screen: once there is something to show. */
  start(shown) {
    this.shown = shown;
    document.body.classList.add("is-projector");
    this.titled(null);
    const ip = new URLSearchParams(location.search).get("ip");
    new GuestLink(this.eid, (info, qr) => this.showLink(info, qr), ip).start();
    followWifi((wifi) => this.showWifi(wifi));
    fullScreenButton($("#fullscreen-button"));
    hideIdlePointer();
    this.poller = new Poller({ tick: () => this.poll(), interval: POLL_MS });
    this.poller.start();
    addEventListener("resize", () => this.fit());
  }

  titled(title) {
    document.title = t("Projector: {title} · LanQA", { title: title || t("Live Q&A") });
    $("#projector-title").textContent = title || t("Questions from the room");
  }

  showLink(info, qr) {
    const [origin, path] = splitUrl(info.url);
    setText($("#projector-link-origin"), origin);
    setText($("#projector-link-path"), path);
    setText($("#projector-short-address"), shortAddress(info.url));
    $("#projector-qr").src = qr;
    // Without a local network, phones cannot reach the link either: say so instead.
    for (const part of $(".projector-join").children) part.hidden = !info.lan;
    $("#projector-offline").hidden = info.lan;
    this.lan = info.lan;
    this.showWifi(this.wifi);
  }

  showWifi(wifi) {
    this.wifi = wifi;
    $("#projector-wifi").hidden = !(wifi && this.lan);
    document.body.classList.toggle("has-wifi", Boolean(wifi && this.lan));
    if (!wifi) return;
    $("#projector-wifi-qr").src = wifi.src;
    setText($("#projector-wifi-name"), wifi.name);
    setText($("#projector-wifi-password"), wifi.password);
  }

  async poll() {
    let fresh;
    try {
      fresh = await listChanges(this.eid, null, this.held.version);
    } catch (error) {
      if (pollTrouble(error)) return;
      // The session is gone (or never was): asking again will not help.
      this.poller.stop();
      if (error.status === 404) showNotFound();
      else {
        this.shown();
        banner(error.message);
      }
      return;
    }
    banner(null);
    if (fresh) {
      if (this.list === null) this.shown();
      this.list = this.held.apply(fresh);
      this.render();
    }
  }

  render() {
    if (this.list === null) return;
    const all = this.list.filter((q) => !q.hidden && q.answered === undefined && !q.review);
    const now = all.find((q) => q.highlighted && this.texts.questions[q.qid]) || null;
    const open = all.filter((q) => q !== now);
    // A few more than shown, so a question that climbs in has its text ready.
    this.details.want([...all.filter((q) => q.highlighted), ...open.slice(0, TOP * 2)]
      .map((q) => q.qid));
    const shown = open.slice(0, TOP).filter((q) => this.texts.questions[q.qid]);
    const key = JSON.stringify([now, shown, open.length, this.list.length]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.open = open.length;
    this.showNow(now);
    const empty = $("#projector-empty");
    empty.hidden = open.length > 0 || Boolean(now);
    empty.textContent = open.length < this.list.length
      ? t("All questions answered — scan to ask another") : t("No questions yet — scan to ask");
    this.rows.arrange(() => {
      for (const item of shown) this.rows.fill(item, this.texts.questions[item.qid]);
      this.rows.place($("#projector-list"), shown.map((q) => q.qid));
      this.fit();
    });
  }

  // The question being answered, alone and large, with the speaker's reply; the
  // other questions go on, smaller, beside or under it.
  showNow(item) {
    document.body.classList.toggle("has-now", Boolean(item));
    $("#projector-now").hidden = !item;
    if (!item) return;
    const details = this.texts.questions[item.qid];
    setText($("#projector-now-text"), details.text);
    const who = $("#projector-now-who");
    who.hidden = !details.who;
    if (details.who) byName(who, details.who);
    $("#projector-now-reply").hidden = !item.reply;
    setText($("#projector-now-reply-text"), item.reply || "");
  }

  // Long questions or a small screen: show only the questions that fit whole,
  // rather than cut the last one in half. At least the top one is shown, unless the
  // question answered now takes the room.
  fit() {
    const list = $("#projector-list");
    const rows = [...list.children];
    rows.forEach((row) => (row.hidden = false));
    const least = document.body.classList.contains("has-now") ? 0 : 1;
    const bottom = list.getBoundingClientRect().bottom + 1;
    const over = rows.findIndex((row, i) => i >= least
      && row.getBoundingClientRect().bottom > bottom);
    const visible = over < 0 ? rows.length : over;
    rows.forEach((row, index) => (row.hidden = index >= visible));
    const rest = (this.open || 0) - visible;
    // Emptied rather than hidden: its line stays, so the list's room does not change.
    setText($("#projector-more"), rest > 0 && (visible || !least)
      ? tn("{n} more question on your phone", "{n} more questions on your phone", rest) : "");
  }
}

/** "http://10.0.0.5:8471/event/01J…" -> ["http://10.0.0.5:8471", "/event/01J…"]. */
function splitUrl(url) {
  const at = url.indexOf("/event/");
  return at < 0 ? [url, ""] : [url.slice(0, at), url.slice(at)];
}

// Shown only while the screen is not full screen already (by this button or F11).
function fullScreenButton(button) {
  const full = matchMedia("(display-mode: fullscreen)");
  const update = () => {
    button.hidden = !document.fullscreenEnabled || Boolean(document.fullscreenElement)
      || full.matches;
  };
  button.addEventListener("click", () => {
    document.documentElement.requestFullscreen()
      .catch(() => notice(t("This browser would not go full screen: try F11.")));
  });
  // "F" does the same from the keyboard, the pointer being on another screen.
  addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() === "f" && !button.hidden && !event.ctrlKey && !event.metaKey) {
      button.click();
    }
  });
  document.addEventListener("fullscreenchange", update);
  full.addEventListener("change", update);
  update();
}

// The pointer and the button fade out while the mouse rests, so nothing but
// the content is on the big screen; any movement or key brings them back.
function hideIdlePointer() {
  let timer = null;
  const wake = () => {
    document.body.classList.remove("idle");
    clearTimeout(timer);
    timer = setTimeout(() => document.body.classList.add("idle"), IDLE_MS);
  };
  for (const type of ["pointermove", "pointerdown", "keydown"]) addEventListener(type, wake);
  wake();
}
