// What this browser remembers in localStorage. Per event (key `event::{eid}`):
// the questions it voted for and asked, those of them still waiting for the
// speaker's review, what the asker has been told about them (answered, the
// reply), and the question texts, which never change. Across events: the
// sessions created here, the name last signed with, and the venue's Wi-Fi the
// host typed for the projector (on the laptop only).

const SESSIONS_KEY = "lanqa::sessions";
const NAME_KEY = "lanqa::name";
const WIFI_KEY = "lanqa::wifi";
const MAX_SESSIONS = 8;

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or a full disk: the page keeps working from memory.
  }
}

export class EventStore {
  constructor(eid) {
    this.key = `event::${eid}`;
    this.load();
  }

  load() {
    const saved = read(this.key) || {};
    this.votedFor = saved.votedFor || {};
    this.asked = saved.asked || {};
    this.questions = saved.questions || {};
    this.waiting = saved.waiting || {}; // asked here, not yet seen in the public list
    this.told = saved.told || {}; // qid -> {answered: true, reply: "text"}
    this.moved = saved.moved || {}; // merged qid -> what followMerges moved, to undo
  }

  save() {
    const { votedFor, asked, questions, waiting, told, moved } = this;
    write(this.key, { votedFor, asked, questions, waiting, told, moved });
  }

  /** A question of this browser's that the host merged into another: its vote is that
   * one's now (the server moved it), and its asker finds it there. If the host undoes
   * the merge, both go back. */
  followMerges(list) {
    let changed = false;
    for (const item of list) {
      for (const { qid } of item.also || []) {
        const voted = Boolean(this.votedFor[qid]);
        const asked = Boolean(this.asked[qid]);
        if (!voted && !asked) continue;
        // What came with the merge goes with its undo.
        const gained = voted && !this.votedFor[item.qid];
        const gainedAsk = asked && !this.asked[item.qid];
        this.moved[qid] = { into: item.qid, voted, asked, gained, gainedAsk };
        if (voted) this.votedFor[item.qid] = true;
        if (asked) this.asked[item.qid] = true;
        delete this.votedFor[qid];
        delete this.asked[qid];
        changed = true;
      }
    }
    for (const item of list) {
      const moved = this.moved[item.qid];
      if (!moved) continue;
      delete this.moved[item.qid];
      const still = Object.values(this.moved).filter((other) => other.into === moved.into);
      if (moved.voted) this.votedFor[item.qid] = true;
      if (moved.asked) this.asked[item.qid] = true;
      if (moved.gained && !still.some((other) => other.voted)) delete this.votedFor[moved.into];
      if (moved.gainedAsk && !still.some((other) => other.asked)) delete this.asked[moved.into];
      changed = true;
    }
    if (changed) this.save();
  }

  /** Forget this event (it was deleted). */
  forget() {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // Nothing kept, nothing to forget.
    }
  }

  /** Call onChange when another tab of this event writes; returns the unsubscribe. */
  watch(onChange) {
    const listener = (event) => {
      if (event.key !== this.key) return;
      this.load();
      onChange();
    };
    addEventListener("storage", listener);
    return () => removeEventListener("storage", listener);
  }
}

/** Sessions created in this browser, newest first: [{id, secret, title, created}]. */
export function recentSessions() {
  const list = read(SESSIONS_KEY);
  return Array.isArray(list) ? list : [];
}

/** Take a deleted session off this browser's list. */
export function forgetSession(id) {
  write(SESSIONS_KEY, recentSessions().filter((s) => s.id !== id));
}

export function rememberSession(session) {
  const others = recentSessions().filter((s) => s.id !== session.id);
  write(SESSIONS_KEY, [session, ...others].slice(0, MAX_SESSIONS));
}

export function savedName() {
  try {
    return localStorage.getItem(NAME_KEY) || "";
  } catch {
    return "";
  }
}

export function saveName(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // As above: nothing to do.
  }
}

/** The venue's Wi-Fi {name, password} typed in the share panel, or null. */
export function savedWifi() {
  const wifi = read(WIFI_KEY);
  return wifi && wifi.name && wifi.password ? wifi : null;
}

/** Remember the Wi-Fi {name, password}; null forgets it. */
export const saveWifi = (wifi) => write(WIFI_KEY, wifi);

/** Run onChange when another window of this browser changes the saved Wi-Fi. */
export function watchWifi(onChange) {
  addEventListener("storage", (event) => {
    if (event.key === WIFI_KEY || event.key === null) onChange();
  });
}
