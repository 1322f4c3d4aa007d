// Question texts are fetched once and cached for good: they never change.
// Wanted ids are gathered for a moment, so one request carries many.


const GATHER_MS = 50;
const BATCH = 25;
const RETRY_MS = 1500;
const MAX_RETRY_MS = 15000;

export class DetailsLoader {
  /** fetch(qids, fresh) asks the server for texts; onLoaded() runs after new texts
   * landed in store.questions. */
  constructor(store, fetch, onLoaded) {
    this.store = store;
    this.fetch = fetch;
    this.onLoaded = onLoaded;
    this.queue = new Set();
    this.inFlight = new Set();
    this.tries = new Map();
    this.timer = null;
    this.stopped = false;
  }

  want(qids) {
    for (const qid of qids) {
      if (!this.store.questions[qid] && !this.inFlight.has(qid)) this.queue.add(qid);
    }
    if (this.queue.size && !this.timer && !this.stopped) {
      this.timer = setTimeout(() => this.flush(), GATHER_MS);
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async flush() {
    this.timer = null;
    // Sorted, so the same set of ids is the same URL and the HTTP cache can answer.
    const qids = [...this.queue].sort();
    this.queue.clear();
    qids.forEach((qid) => this.inFlight.add(qid));
    const batches = [];
    for (let i = 0; i < qids.length; i += BATCH) batches.push(qids.slice(i, i + BATCH));
    const fresh = qids.some((qid) => this.tries.has(qid));
    const answers = await Promise.all(
      batches.map((ids) => this.fetch(ids, fresh).catch(() => ({}))),
    );
    qids.forEach((qid) => this.inFlight.delete(qid));
    if (this.stopped) return;
    const found = this.keep(Object.assign({}, ...answers));
    this.retry(qids.filter((qid) => !found.includes(qid)));
    if (found.length) this.onLoaded();
  }

  keep(details) {
    const found = [];
    for (const [qid, data] of Object.entries(details)) {
      if (!data || typeof data.text !== "string") continue;
      this.store.questions[qid] = { text: data.text, when: data.when, who: data.who };
      found.push(qid);
    }
    if (found.length) this.store.save();
    return found;
  }

  // A question asked a moment ago may not be readable yet, and a request can
  // fail on bad Wi-Fi: try again, less often each time, until the text is here
  // (a quiet room may not redraw, and so not ask again, for a long while).
  retry(missing) {
    if (!missing.length) return;
    for (const qid of missing) this.tries.set(qid, (this.tries.get(qid) || 0) + 1);
    const tries = Math.max(...missing.map((qid) => this.tries.get(qid)));
    setTimeout(() => this.want(missing), Math.min(RETRY_MS * tries, MAX_RETRY_MS));
  }
}
