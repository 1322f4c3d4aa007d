// This viewer's own recent actions, laid over the server's list so that they
// show at once, also while updates are paused. Each one lasts until a list
// arrives whose request was sent long enough after the action finished that the
// list knows it: at once for the host, and GUEST_LAG_MS later for guests, whose
// lists may be that old (an older list must not undo the action).

import { serverNow } from "./rows.js";

/** Per host toggle: the field of a list item it changes, what the item shows at once,
 * and how the server's answer reads. null takes the field away. */
export const TOGGLES = {
  hidden: { field: "hidden", shown: (on) => on, read: (result) => result.hidden },
  answered: {
    field: "answered",
    shown: (on) => (on ? Math.floor(serverNow()) : null),
    read: (result) => result.answered ?? null,
  },
  approved: {
    field: "review",
    shown: (on) => (on ? null : true),
    read: (result) => (result.approved ? null : true),
  },
  highlighted: {
    field: "highlighted",
    shown: (on) => on || null,
    read: (result) => result.highlighted || null,
  },
};

export class LocalChanges {
  /** lag: how old (ms) a list may be when it arrives. */
  constructor(lag) {
    this.lag = lag;
    this.patches = []; // {qid, field, value, done}; done: when it finished (ms)
    this.newQuestions = new Map(); // qid -> done, for questions asked here
  }

  /** Call when sending a list request; hand the result to settle() with its answer. */
  mark() {
    return performance.now() - this.lag;
  }

  /** Forget what a list requested at `mark` already shows; true if anything went. */
  settle(mark) {
    const before = this.patches.length + this.newQuestions.size;
    this.patches = this.patches.filter((patch) => !(patch.done <= mark));
    for (const [qid, done] of this.newQuestions) if (done <= mark) this.newQuestions.delete(qid);
    return this.patches.length + this.newQuestions.size < before;
  }

  /** Show field = value on question qid (null removes the field) until settled. */
  add(qid, field, value) {
    const patch = { qid, field, value, done: Infinity };
    this.patches.push(patch);
    return patch;
  }

  finish(patch, value) {
    patch.value = value;
    patch.done = performance.now();
  }

  drop(patch) {
    this.patches = this.patches.filter((p) => p !== patch);
  }

  /** Show qid, just asked here, at the end of the list until settled. */
  addQuestion(qid) {
    this.newQuestions.set(qid, performance.now());
  }

  /** The server's list with these changes on top; new questions go last. */
  apply(list) {
    const items = list.map((item) => ({ ...item }));
    const known = new Set(items.map((item) => item.qid));
    for (const qid of this.newQuestions.keys()) {
      if (!known.has(qid)) items.push({ qid, votes: 1, hidden: false });
    }
    const byId = new Map(items.map((item) => [item.qid, item]));
    for (const { qid, field, value } of this.patches) {
      const item = byId.get(qid);
      if (!item) continue;
      if (value === null) delete item[field];
      else item[field] = value;
    }
    return items;
  }
}
