// The host's tools for several questions at once (tick them, then hide or merge them)
// and for one (merge it into the question it looks like, block its device). A merge can
// be undone from its notice. Only the host's page has this code (lanqa/assets.py).
import * as api from "./api.js";
import { t, tn } from "./i18n.js";
import { $, notice } from "./ui.js";

const HIDE_BATCH = 25; // question ids the server takes in one request
const ARMED_MS = 4000; // how long "Block device" waits for its second tap

export class HostTools {
  /** view: the EventView whose questions these are. */
  constructor(view) {
    this.view = view;
    this.selected = new Set(); // questions the host ticked
    $("#hide-selected").addEventListener("click", () => this.hideSelected());
    $("#merge-selected").addEventListener("click", () => this.mergeSelected());
  }

  select(qid, on) {
    if (on) this.selected.add(qid);
    else this.selected.delete(qid);
    const button = $("#hide-selected");
    button.hidden = !this.selected.size;
    button.textContent = tn("Hide selected ({n})", "Hide selected ({n})", this.selected.size);
    const merge = $("#merge-selected");
    merge.hidden = this.selected.size < 2;
    merge.textContent = tn("Merge selected ({n})", "Merge selected ({n})", this.selected.size);
  }

  /** The selected questions, unselected. */
  takeSelected() {
    const qids = [...this.selected];
    for (const qid of qids) {
      this.select(qid, false);
      const box = this.view.rows.row(qid).querySelector("[data-action=select]");
      box.checked = false;
    }
    return qids;
  }

  // The selected questions become the one among them with the most votes (the oldest,
  // on a tie), which gains the others' voters and lists their texts under it.
  async mergeSelected() {
    const shown = new Map(this.view.listed().map((q) => [q.qid, q]));
    const qids = this.takeSelected().filter((qid) => shown.has(qid)).sort();
    const votes = (qid) => shown.get(qid).votes;
    const into = qids.reduce((best, qid) => (votes(qid) > votes(best) ? qid : best), qids[0]);
    const merged = [];
    await this.send(async () => {
      for (const qid of qids.filter((qid) => qid !== into)) {
        await api.merge(this.view.eid, this.view.secret, qid, into);
        merged.push(qid);
      }
      return tn("{n} question merged into the one with the most votes.",
        "{n} questions merged into the one with the most votes.", merged.length);
    }, () => this.unmerge(merged));
  }

  /** Merge qid into the earlier question it looks like. */
  async mergeInto(qid, into) {
    if (!into) return;
    await this.send(async () => {
      await api.merge(this.view.eid, this.view.secret, qid, into);
      return t("Merged into the earlier question.");
    }, () => this.unmerge([qid]));
  }

  unmerge(qids) {
    return this.send(async () => {
      for (const qid of [...qids].reverse()) {
        await api.unmerge(this.view.eid, this.view.secret, qid);
      }
      return t("Merge undone: the questions are apart again.");
    });
  }

  async hideSelected() {
    const qids = this.takeSelected();
    await this.send(async () => {
      let hidden = 0;
      for (let start = 0; start < qids.length; start += HIDE_BATCH) {
        const batch = qids.slice(start, start + HIDE_BATCH);
        hidden += (await api.hideMany(this.view.eid, this.view.secret, batch)).hidden;
      }
      return tn("{n} question hidden.", "{n} questions hidden.", hidden);
    });
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
    await this.send(async () => {
      const done = await api.block(this.view.eid, this.view.secret, qid);
      // Two counts, each with its own plural (and the words that agree with it).
      return t("Device blocked: {questions}, {votes}.", {
        questions: tn("{n} question hidden", "{n} questions hidden", done.hidden),
        votes: tn("{n} vote taken back", "{n} votes taken back", done.votes_removed),
      });
    });
  }

  /** Run request(), which resolves to what to say; say it (or why it failed), with
   * an Undo button that runs undo() if given, then fetch the list the server now has. */
  async send(request, undo = null) {
    try {
      notice(await request(), undo);
    } catch (error) {
      notice(error.message);
    }
    this.view.poll();
  }
}
