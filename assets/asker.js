// The guest's own questions. One that the speaker keeps for review is shown to its
// asker alone, where it was asked, marked as waiting, until a list shows it to
// everyone. And a note tells the asker when the speaker answers their question or
// replies to it: once, when the page is in view (a phone in a pocket is told when
// it comes out), remembered in the browser's store so that a reload does not tell
// it again.

import { t } from "./i18n.js";
import { $ } from "./ui.js";

const KEEP = 3; // notes shown at once; older ones make room

/** items with the asker's questions that wait for review added, last. */
export function withWaiting(items, store) {
  const known = new Set(items.map((q) => q.qid));
  for (const qid of Object.keys(store.waiting)) {
    if (!known.has(qid) && store.questions[qid]) {
      items.push({ qid, votes: 1, hidden: false, waiting: true });
    }
  }
  return items;
}

/** The asker's questions in list (the public one) wait no more. */
export function published(list, store) {
  const before = Object.keys(store.waiting).length;
  if (!before) return;
  for (const item of list) delete store.waiting[item.qid];
  if (Object.keys(store.waiting).length < before) store.save();
}

export class AskerNews {
  constructor(store) {
    this.store = store;
    this.list = null; // the last list from the server
    $("#told-ok").addEventListener("click", () => this.dismiss());
    document.addEventListener("visibilitychange", () => this.check());
  }

  /** Look at the list for news about this asker's questions. */
  check(list = this.list) {
    this.list = list;
    if (!list || document.hidden) return;
    const news = [];
    for (const item of list) {
      if (!this.store.asked[item.qid]) continue;
      const found = this.news(item);
      if (found.said.length) news.push({ qid: item.qid, ...found });
    }
    if (!news.length) return;
    this.store.save();
    this.show(news);
  }

  // What is new about item since the asker was last told ({said, reply}, said empty if
  // nothing), noted as told.
  news(item) {
    const told = this.store.told[item.qid] || {};
    const answered = item.answered !== undefined && !told.answered;
    const replied = Boolean(item.reply) && item.reply !== told.reply;
    const said = [];
    if (answered && replied) said.push(t("Your question was answered, with a reply."));
    else if (answered) said.push(t("Your question was answered."));
    else if (replied) said.push(t("The speaker replied to your question."));
    // Taken back (an undo): told again if it happens again.
    const now = { answered: item.answered !== undefined || undefined, reply: item.reply };
    if (JSON.stringify(now) !== JSON.stringify(told)) {
      this.store.told[item.qid] = now;
      if (!said.length) this.store.save();
    }
    return { said, reply: replied ? item.reply : null };
  }

  show(news) {
    $("#told").hidden = false; // shown first, so that what it gets is announced
    const list = $("#told-list");
    for (const { qid, said, reply } of news) list.append(this.note(qid, said, reply));
    while (list.children.length > KEEP) list.firstElementChild.remove();
  }

  note(qid, said, reply) {
    const note = document.createElement("div");
    note.className = "told-note";
    const what = paragraph("told-what", said.join(" "));
    const details = this.store.questions[qid];
    const question = paragraph("told-question", details ? details.text : "");
    question.dir = "auto";
    note.append(what, question);
    if (reply) {
      const answer = paragraph("told-reply", "");
      const label = document.createElement("span");
      label.className = "reply-label";
      label.textContent = t("Speaker's reply");
      const text = document.createElement("span");
      text.dir = "auto";
      text.textContent = reply;
      answer.append(label, text);
      note.append(answer);
    }
    return note;
  }

  dismiss() {
    $("#told").hidden = true;
    $("#told-list").replaceChildren();
  }
}

function paragraph(className, text) {
  const element = document.createElement("p");
  element.className = className;
  element.textContent = text;
  return element;
}
