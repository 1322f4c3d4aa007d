// The one module that talks to the server. Every call resolves with the JSON
// body or rejects with an ApiError whose message is a sentence for a person.

import { t } from "./i18n.js";

const TIMEOUT_MS = 10000;
const OFFLINE = t("No connection to the LanQA server. Check the Wi-Fi and try again.");

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status; // 0 means the request never got an answer
  }
}

// Seconds to add to this device's clock to get the server's. Phones in a room
// without internet may have a wrong clock; ages are computed on server time.
let skew = 0;
export const clockSkew = () => skew;

async function send(method, path, { json, text, fresh = false } = {}) {
  const headers = {};
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (text !== undefined) {
    headers["Content-Type"] = "text/plain";
    body = text;
  }
  let response;
  try {
    // no-store for lists: they say what changed since the version the page holds,
    // so the HTTP cache must stay out of the way, or it would turn a 304 into a 200.
    response = await fetch(path, {
      method, headers, body, cache: fresh ? "no-store" : "default",
      credentials: "same-origin", signal: timeout(),
    });
  } catch {
    throw new ApiError(0, OFFLINE);
  }
  // A GET from the HTTP cache carries the Date it was first sent with.
  if (fresh || method !== "GET") noteClock(response);
  return response;
}

async function call(method, path, options) {
  const response = await send(method, path, options);
  if (!response.ok) throw await failure(response);
  return readJson(response);
}

async function failure(response) {
  const data = await readJson(response).catch(() => null);
  const message = data && typeof data.error === "string" ? data.error
    : t("The server answered {status} {reason}.",
      { status: String(response.status), reason: response.statusText });
  return new ApiError(response.status, message);
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    throw new ApiError(0, OFFLINE);
  }
}

// A hung request must not stall polling forever (AbortSignal.timeout is too new
// for some phones still in use).
function timeout() {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), TIMEOUT_MS);
  return controller.signal;
}

function noteClock(response) {
  const date = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(date)) skew = Math.round((date - Date.now()) / 1000);
}

const enc = encodeURIComponent;

export const createEvent = (title) => call("POST", "/api/event", { json: title ? { title } : {} });

export const getEvent = (eid) => call("GET", `/api/event/${enc(eid)}`);

export const ask = (eid, body, asker) =>
  call("POST", `/api/event/${enc(eid)}`, { json: { body, asker: asker || null } });

/** Up to 3 questions already asked that look like text: [{qid, votes, text}]. */
export const similar = (eid, text) =>
  call("GET", `/api/event/${enc(eid)}/similar${query({ text })}`, { fresh: true });

export const vote = (qid, up) => call("POST", `/api/vote/${enc(qid)}/${up ? "up" : "down"}`);

export const toggle = (eid, secret, qid, property, on) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/${enc(qid)}/toggle/${property}`,
    { text: on ? "on" : "off" });

/** Block the device that asked qid: its questions hidden, its votes taken back. */
export const block = (eid, secret, qid) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/${enc(qid)}/block`);

/** Merge qid, a duplicate, into `into` -> {into, votes}. */
export const merge = (eid, secret, qid, into) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/${enc(qid)}/merge`,
    { json: { into } });

/** Undo merging qid -> {votes, into, into_votes}. */
export const unmerge = (eid, secret, qid) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/${enc(qid)}/unmerge`);

/** Hide up to 25 questions at once. */
export const hideMany = (eid, secret, qids) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/hide`, { json: { qids } });

/** Texts of up to 25 questions; fresh skips the HTTP cache (it may hold an old miss). */
export const questionDetails = (qids, fresh = false) =>
  call("GET", `/api/questions/${qids.map(enc).join(",")}`, { fresh });

/** The same for the host, hidden questions' texts included. */
export const hostQuestionDetails = (eid, secret, qids, fresh = false) =>
  call("GET", `/api/event/${enc(eid)}/questions/${enc(secret)}/texts/${qids.map(enc).join(",")}`,
    { fresh });

/** The speaker's reply under qid; empty text removes it. -> {reply} or {}. */
export const reply = (eid, secret, qid, text) =>
  call("POST", `/api/event/${enc(eid)}/questions/${enc(secret)}/${enc(qid)}/reply`,
    { json: { reply: text || null } });

/** {moderation, closed}: new questions wait for review; no new questions at all. */
export const settings = (eid, secret) =>
  call("GET", `/api/event/${enc(eid)}/settings/${enc(secret)}`, { fresh: true });

/** Change some of the settings -> all of them, as they are now. */
export const saveSettings = (eid, secret, changes) =>
  call("POST", `/api/event/${enc(eid)}/settings/${enc(secret)}`, { json: changes });

/** Delete the session, its questions and votes, at once and for good. */
export const deleteEvent = (eid, secret) =>
  call("POST", `/api/event/${enc(eid)}/delete/${enc(secret)}`);

export const share = (eid, ip) => call("GET", `/api/event/${enc(eid)}/share${query({ ip })}`);

/** {"devices": n}: devices that loaded this event's list in the last minute. */
export const devices = (eid, secret) =>
  call("GET", `/api/event/${enc(eid)}/devices/${enc(secret)}`);

/** Recent events with their secrets; answers only on the laptop running LanQA. */
export const localEvents = () => call("GET", "/api/local/events");

/** The live sessions, for the page phones see at the short address:
 * [{id, title, created, questions}], most questions first. */
export const liveEvents = () => call("GET", "/api/live", { fresh: true });

/** The QR code that joins the Wi-Fi network name with password, as an SVG
 * document; answers only on the laptop running LanQA. */
export async function wifiQr(name, password) {
  const response = await send("POST", "/api/local/wifi-qr", { json: { name, password } });
  if (!response.ok) throw await failure(response);
  try {
    return await response.text();
  } catch {
    throw new ApiError(0, OFFLINE);
  }
}

/** The QR code's address; a new version makes the browser fetch it again. */
export const qrUrl = (eid, ip, version = 0) =>
  `/api/event/${enc(eid)}/qr.svg${query({ ip, v: version || null })}`;

/** Where to download an export: format is csv, md, json or html; all adds pending and hidden. */
export const exportUrl = (eid, secret, format, { all = false, download = false } = {}) =>
  `/api/event/${enc(eid)}/export/${enc(secret)}` +
  query({ format, all: all ? 1 : null, download: download ? 1 : null });

/** "?a=1&b=2" from the parameters that have a value, or "". */
function query(params) {
  const pairs = Object.entries(params).filter(([, value]) => value !== null && value !== undefined);
  const text = new URLSearchParams(pairs).toString();
  return text ? `?${text}` : "";
}

/** An export as {filename, text}, for saving it from the desktop window. */
export async function exportFile(eid, secret, format, all) {
  const response = await send("GET", exportUrl(eid, secret, format, { all, download: true }),
    { fresh: true });
  if (!response.ok) throw await failure(response);
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  let text;
  try {
    // ignoreBOM keeps the byte-order mark that tells Excel the CSV is UTF-8.
    text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
  } catch {
    throw new ApiError(0, OFFLINE);
  }
  return { filename: named ? named[1] : `lanqa-questions.${format}`, text };
}

/** What changed in the question list since the version held (lanqa/delta.py), or
 * null when nothing did (a 304); texts: with a full list, the questions' texts too. */
export async function listChanges(eid, secret, since, texts = false) {
  const path = `/api/event/${enc(eid)}/questions` + (secret ? `/${enc(secret)}` : "")
    + query({ since, texts: texts ? 1 : null });
  const response = await send("GET", path, { fresh: true });
  if (response.status === 304) return null;
  if (!response.ok) throw await failure(response);
  return readJson(response);
}
