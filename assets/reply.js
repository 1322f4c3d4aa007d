// The host's reply box, opened inline under a question: a line or two that guests
// and the projector show under it ("the slides are on the website"). Enter saves,
// Shift+Enter starts a new line, Escape closes the box without saving.

import { $ } from "./ui.js";

export class ReplyBox {
  /** save(qid, text) sends the reply ("" removes it) and resolves true once saved. */
  constructor(template, save) {
    this.template = template;
    this.save = save;
  }

  open(row, reply) {
    let form = $(".reply-form", row);
    if (!form) {
      form = this.template.content.firstElementChild.cloneNode(true);
      this.wire(form, row);
      row.append(form);
    }
    row.classList.add("replying");
    $("[data-action=reply_remove]", form).hidden = !reply;
    const box = form.elements.reply;
    box.value = reply || "";
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  close(row) {
    const form = $(".reply-form", row);
    if (!form) return;
    const focused = form.contains(document.activeElement);
    form.remove();
    row.classList.remove("replying");
    if (focused) $(".act-reply", row).focus();
  }

  wire(form, row) {
    const send = async (text) => {
      form.classList.add("busy");
      const saved = await this.save(row.dataset.qid, text.trim());
      form.classList.remove("busy");
      if (saved) this.close(row);
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form.elements.reply.value);
    });
    form.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]");
      if (action && action.dataset.action === "reply_remove") send("");
      if (action && action.dataset.action === "reply_cancel") this.close(row);
    });
    form.elements.reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
      if (event.key === "Escape") this.close(row);
    });
  }
}
