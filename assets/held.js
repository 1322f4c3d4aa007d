// The list this page holds, kept up to date from the changes the server sends
// since the version held (lanqa/delta.py describes the answers).

import { rank } from "./order.js";

// How old a guest's list may be when it arrives: the server hands guests the same
// version for half a second, so that it works out each change once, and for up to a
// second more while it builds the next (lists.SHARE_SECONDS, RENEW_SECONDS).
export const GUEST_LAG_MS = 1500;

export class HeldList {
  constructor() {
    this.version = "0"; // what the server calls the version held; "0": none yet
    this.items = []; // in question-id order
    this.closed = false;
    this.ranked = [];
  }

  /** Take in one answer; returns the list, ranked as the server ranks it. */
  apply(answer) {
    let items = this.items;
    if (answer.full) {
      items = [];
    } else {
      items = items.slice();
      let index = 0;
      const votes = answer.votes || [];
      for (let i = 0; i < votes.length; i += 2) {
        index += votes[i];
        items[index] = { ...items[index], votes: votes[i + 1] };
      }
      const gone = new Set();
      index = 0;
      for (const gap of answer.gone || []) gone.add(items[(index += gap)].qid);
      items = items.filter((item) => !gone.has(item.qid));
    }
    const byId = new Map(items.map((item) => [item.qid, item]));
    for (const item of answer.items || []) byId.set(item.qid, item);
    this.items = [...byId.values()].sort((a, b) => (a.qid < b.qid ? -1 : 1));
    this.version = answer.v;
    this.closed = Boolean(answer.closed);
    this.ranked = rank(this.items, answer.t);
    return this.ranked;
  }
}
