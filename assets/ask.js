// The guest's ask form. It checks what the server would refuse before sending,
// and keeps the text whenever sending fails, so nothing typed is lost.

import { ask } from "./api.js";
import { t } from "./i18n.js";
import { savedName, saveName } from "./store.js";
import { offline, say } from "./ui.js";

const MAX_BYTES = 1024; // the server's cap on a request body
const COUNT_FROM = 400; // characters typed before the box shows how many are left
// The server's rule, for browsers without Intl.Segmenter: whitespace between two
// characters, or two characters of a script written without spaces.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/gu;

/** Wire up form; onAsked(qid, text, name, review) runs once the server took the question
 * (review: it waits for the speaker's review), and onRefused() when it refused one (403:
 * the session may have just closed). */
export function askForm(form, eid, onAsked, onRefused = () => {}) {
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
    button.textContent = t("Sending…");
    try {
      const { id, review } = await ask(eid, text, name);
      body.value = "";
      count();
      const thanks = review
        ? t("Thanks! Your question waits for the speaker's review: it is marked below.")
        : t("Thanks! Your question is in the list: it is marked below.");
      say(message, thanks, "ok");
      onAsked(id, text, name, review === true);
    } catch (error) {
      say(message, "", "problem");
      const unsent = t("Lost connection, retrying… Your question was not sent: it is still in the box.");
      if (!offline(error, unsent)) {
        say(message, error.message, "problem");
      }
      if (error.status === 403) onRefused();
    } finally {
      button.disabled = false;
      button.textContent = t("Ask");
    }
  });

  // Near the box's limit, say how much is left rather than stop typing silently.
  const counter = form.querySelector("#ask-count");
  const count = () => {
    const length = body.value.length;
    counter.hidden = length < COUNT_FROM;
    counter.textContent = t("{length} / {max}", { length, max: body.maxLength });
  };
  body.addEventListener("input", count);

  // Ctrl+Enter (or Cmd+Enter) sends from the keyboard; Enter alone is a new line.
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) button.click();
  });
}

/** Two words, as the text's own script separates them. */
export function twoWords(text) {
  if (typeof Intl.Segmenter === "function") {
    const words = new Intl.Segmenter(undefined, { granularity: "word" }).segment(text);
    let count = 0;
    for (const segment of words) if (segment.isWordLike && ++count >= 2) return true;
    return false;
  }
  return /\S\s+\S/.test(text) || (text.match(UNSPACED) || []).length >= 2;
}

function check(text, name) {
  if (!text) return t("Type your question first.");
  if (!twoWords(text)) return t("Please use at least two words in your question.");
  const size = new TextEncoder().encode(JSON.stringify({ body: text, asker: name || null })).length;
  if (size > MAX_BYTES) return t("Your question is too long: please shorten it a little.");
  return null;
}
