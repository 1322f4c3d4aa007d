// The host's controls over the session itself, in the share panel: review before
// public (moderation), closing and reopening questions, and deleting the session.

import * as api from "./api.js";
import { t } from "./i18n.js";
import { EventStore, forgetSession } from "./store.js";
import { $, notice } from "./ui.js";

const ARMED_MS = 4000; // how long "Delete session" waits for its second tap

export class SessionControls {
  /** onChange(settings) runs with each new {moderation, closed}; onDeleted() before the
   * page leaves a deleted session. */
  constructor(panel, eid, secret, { onChange, onDeleted }) {
    Object.assign(this, { panel, eid, secret, onChange, onDeleted });
    this.settings = { moderation: false, closed: false };
  }

  start() {
    $("#moderation-switch", this.panel).addEventListener("change", (event) => {
      this.save({ moderation: event.target.checked });
    });
    $("#close-button", this.panel).addEventListener("click", () => {
      this.save({ closed: !this.settings.closed });
    });
    $("#delete-button", this.panel).addEventListener("click", (event) => this.delete(event.target));
    this.load();
  }

  async load() {
    try {
      this.show(await api.settings(this.eid, this.secret));
    } catch {
      // The list's poll says what is wrong (a wrong link, no connection); the
      // controls keep the defaults and try again with the next change.
    }
  }

  /** The list says whether the session is closed: it may have changed elsewhere. */
  closed(closed) {
    if (closed !== this.settings.closed) this.show({ ...this.settings, closed });
  }

  async save(changes) {
    try {
      this.show(await api.saveSettings(this.eid, this.secret, changes));
    } catch (error) {
      notice(error.message);
      this.show(this.settings); // the switch goes back to what is so
    }
  }

  show(settings) {
    this.settings = { moderation: Boolean(settings.moderation), closed: Boolean(settings.closed) };
    const { moderation, closed } = this.settings;
    $("#moderation-switch", this.panel).checked = moderation;
    $("#close-button", this.panel).textContent = closed ? t("Reopen questions")
      : t("Close questions");
    const state = $("#session-state", this.panel);
    state.hidden = !closed;
    state.textContent = closed ? t("Questions are closed: guests can read and vote, but not ask.")
      : "";
    this.onChange(this.settings);
  }

  // Nothing brings a deleted session back: the first tap asks, a second one deletes.
  async delete(button) {
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = t("Tap again to delete");
      button.timer = setTimeout(() => this.disarm(button), ARMED_MS);
      return;
    }
    this.disarm(button);
    button.disabled = true;
    try {
      await api.deleteEvent(this.eid, this.secret);
    } catch (error) {
      button.disabled = false;
      notice(error.message);
      return;
    }
    this.onDeleted();
    forgetSession(this.eid);
    new EventStore(this.eid).forget();
    location.replace("/");
  }

  disarm(button) {
    clearTimeout(button.timer);
    delete button.dataset.armed;
    button.textContent = t("Delete session");
  }
}
