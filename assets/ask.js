// The guest's ask form. It checks what the server would refuse before sending,
// and keeps the text whenever sending fails, so nothing typed is lost.

import { ask } from "./api.js";
import { savedName, saveName } from "./store.js";
import { say } from "./ui.js";

const MAX_BYTES = 1024; // the server's cap on a request body

/** Wire up form; onAsked(qid, text, name) runs once the server took the question. */
export function askForm(form, eid, onAsked) {
  const { body, asker } = form.elements;
  const button = form.querySelector("button[type=submit]");
  const message = form.querySelector(".form-message");
  asker.value = savedName();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Line breaks are not shown in the list, so send what will be shown.
    const text = body.value.trim().replace(/\s+/g, " ");
    const name = asker.value.trim().replace(/\s+/g, " ");
    const problem = check(text, name);
    if (problem) {
      say(message, problem, "problem");
      body.focus();
      return;
    }
    saveName(name);
    button.disabled = true;
    button.textContent = "Sending…";
    try {
      const { id } = await ask(eid, text, name);
      body.value = "";
      say(message, "Thanks! Your question is in the list.", "ok");
      onAsked(id, text, name);
    } catch (error) {
      say(message, error.message, "problem");
    } finally {
      button.disabled = false;
      button.textContent = "Ask";
    }
  });

  // Ctrl+Enter (or Cmd+Enter) sends from the keyboard; Enter alone is a new line.
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) button.click();
  });
}

function check(text, name) {
  if (!text) return "Type your question first.";
  if (!text.includes(" ")) return "Please use at least two words in your question.";
  const size = new TextEncoder().encode(JSON.stringify({ body: text, asker: name || null })).length;
  if (size > MAX_BYTES) return "Your question is too long: please shorten it a little.";
  return null;
}
