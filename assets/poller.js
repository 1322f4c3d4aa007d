// When to fetch the list again. Every `interval` while the page is visible;
// while the tab is hidden, back off (ten polls at 30 s, fifteen at 60 s, then
// every 20 min) so a forgotten tab costs the laptop nothing. Paused by hand, or
// automatically while the pause button is scrolled out of view, so that the
// list does not move under a finger (not when the page opens with the button
// out of view, nor when the page itself scrolled); only an automatic pause ends
// by itself.
// Without a button (the projector view) it never pauses.

const HIDDEN_STEPS = [[10, 30e3], [25, 60e3], [Infinity, 20 * 60e3]];
const PAGE_SCROLL_MS = 1500; // a smooth scroll of the page's own is over by then

export class Poller {
  /** tick() fetches once and never rejects; onChange(paused) redraws the toggle. */
  constructor({ tick, interval, button = null, onChange = () => {} }) {
    this.tick = tick;
    this.interval = interval;
    this.button = button;
    this.onChange = onChange;
    this.paused = null; // null, "manual" or "auto"
    this.running = false;
    this.again = false;
    this.hiddenPolls = 0;
    this.timer = null;
    this.stopped = false;
    this.observed = false;
    this.pageScrollUntil = 0;
  }

  start() {
    this.onVisibility = () => {
      if (!document.hidden && !this.paused) this.now();
    };
    this.onClick = () => (this.paused ? this.resume() : this.pause("manual"));
    document.addEventListener("visibilitychange", this.onVisibility);
    if (this.button) {
      this.button.addEventListener("click", this.onClick);
      this.observer = new IntersectionObserver((entries) => this.onScroll(entries.pop()));
      this.observer.observe(this.button);
    }
    this.onChange(this.paused);
    this.now();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.onVisibility);
    if (this.button) {
      this.button.removeEventListener("click", this.onClick);
      this.observer.disconnect();
    }
  }

  /** Fetch as soon as possible (right after the fetch in flight, if any). */
  async now() {
    clearTimeout(this.timer);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await this.tick();
    } catch (error) {
      console.error(error); // a drawing bug must not stop the updates
    }
    this.running = false;
    if (this.again && !this.paused && !this.stopped) {
      this.again = false;
      this.now();
      return;
    }
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.paused || this.stopped) return;
    this.timer = setTimeout(() => this.now(), this.delay());
  }

  delay() {
    if (!document.hidden) {
      this.hiddenPolls = 0;
      return this.interval;
    }
    this.hiddenPolls += 1;
    return HIDDEN_STEPS.find(([upTo]) => this.hiddenPolls <= upTo)[1];
  }

  pause(how) {
    this.paused = how;
    clearTimeout(this.timer);
    this.onChange(this.paused);
  }

  resume() {
    this.paused = null;
    this.onChange(this.paused);
    this.now();
  }

  /** Call before the page scrolls by itself (to a question just asked): no finger is
   * on the list, so it goes on updating. */
  pageScrolls() {
    this.pageScrollUntil = performance.now() + PAGE_SCROLL_MS;
  }

  onScroll(entry) {
    // The observer's first report is where the page starts, not a scroll: a host
    // view whose share panel pushes the button below the fold must stay live.
    const first = !this.observed;
    this.observed = true;
    if (!entry || this.stopped || first) return;
    const byPage = performance.now() < this.pageScrollUntil;
    if (!entry.isIntersecting && !this.paused && !byPage) this.pause("auto");
    else if (entry.isIntersecting && this.paused === "auto") this.resume();
  }
}
