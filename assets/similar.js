// While a guest types, the questions already asked that look like theirs (the
// server decides: lanqa/similar.py). Voting for one of those is worth more than
// asking it again; asking anyway stays one tap away. The vote buttons are the
// list's own (data-action="upvote" in a [data-qid]): the event view handles them.

import { similar } from "./api.js";
import { t, tn } from "./i18n.js";

const WAIT_MS = 350; // after the last key, before asking the server
const FROM_WORDS = 3;

/** Show suggestions under form's box; voted(qid) says whether this device voted for it. */
export function similarQuestions(form, eid, voted) {
  const box = form.querySelector("#similar-questions");
  const list = box.querySelector("ol");
  const body = form.elements.body;
  let timer = null;
  let looked = "";

  const show = (found) => {
    box.hidden = !found.length;
    list.replaceChildren(...found.map((question) => item(question, voted(question.qid))));
  };

  const look = async () => {
    const text = body.value.trim();
    if (wordCount(text) < FROM_WORDS) {
      looked = "";
      show([]);
      return;
    }
    if (text === looked) return;
    looked = text;
    try {
      const found = await similar(eid, text);
      if (body.value.trim() === text) show(found);
    } catch {
      show([]); // no suggestions is no problem: the question can be asked anyway
    }
  };

  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(look, WAIT_MS);
  });
  form.addEventListener("submit", () => {
    looked = "";
    show([]);
  });
  // The event view counts the vote; here the button only says it is done.
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action=upvote]");
    if (button) setTimeout(() => markVoted(button));
  });
}

function item({ qid, votes, text }, isVoted) {
  const row = document.createElement("li");
  row.dataset.qid = qid;
  const words = document.createElement("span");
  words.className = "similar-text";
  words.dir = "auto";
  words.textContent = text;
  const count = document.createElement("span");
  count.className = "similar-votes";
  count.textContent = tn("{n} vote", "{n} votes", votes);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "small";
  button.dataset.action = "upvote";
  button.textContent = t("Vote for this");
  row.append(words, count, button);
  if (isVoted) markVoted(button);
  return row;
}

function markVoted(button) {
  button.textContent = t("Voted");
  button.disabled = true;
}

function wordCount(text) {
  if (typeof Intl.Segmenter !== "function") return text.split(/\s+/).filter(Boolean).length;
  let count = 0;
  for (const part of new Intl.Segmenter(undefined, { granularity: "word" }).segment(text)) {
    if (part.isWordLike) count += 1;
  }
  return count;
}
