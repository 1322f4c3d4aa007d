// The guest link on this laptop's network address, and its QR code, for the
// share panel and the projector view. Asked for again every few seconds: when
// the laptop moves to another network (or finds its first one), the link and
// the QR code on screen follow, and a printed or projected code is never stale
// for long.

import { qrUrl, share } from "./api.js";

const REFRESH_MS = 10000;

/** The short address people can type: "http://10.0.0.5:8471/event/01J…" ->
 * "10.0.0.5:8471". On a phone it leads to the live session, or lists them. */
export const shortAddress = (url) => new URL(url).host;

export class GuestLink {
  /** onChange(info, qrSrc) runs with each new {url, lan, addresses}; ip picks a network. */
  constructor(eid, onChange, ip = null) {
    Object.assign(this, { eid, onChange, ip });
    this.shown = null; // the last info handed to onChange, as JSON
    this.url = null;
    this.changes = 0; // bumped when the link changes, so the QR image is fetched anew
  }

  start() {
    this.load();
    setInterval(() => {
      if (!document.hidden) this.load();
    }, REFRESH_MS);
  }

  /** Share the address ip from now on (null: the one the server finds best). */
  choose(ip) {
    this.ip = ip || null;
    this.load();
  }

  async load() {
    const ip = this.ip;
    let info;
    try {
      info = await share(this.eid, ip);
    } catch {
      if (this.shown) return; // keep showing the last good link
      // Still offer something: the address this page was opened with.
      info = { url: `${location.origin}/event/${this.eid}`, lan: true, addresses: [] };
    }
    if (ip !== this.ip) return; // another network was chosen meanwhile
    const key = JSON.stringify(info);
    if (key === this.shown) return;
    if (this.url !== null && info.url !== this.url) this.changes += 1;
    this.shown = key;
    this.url = info.url;
    this.onChange(info, qrUrl(this.eid, ip, this.changes));
  }
}
