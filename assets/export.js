// The host's export menu: the answered questions (or all of them) as CSV,
// Markdown, JSON or a printable page. In a browser the links are plain
// downloads, and the printable page opens in a new tab. The desktop window has
// no downloads: there the file is fetched here and saved through the window's
// own save dialog.

import { ApiError, exportFile, exportUrl } from "./api.js";
import { bridge } from "./desktop.js";
import { t } from "./i18n.js";
import { $, say } from "./ui.js";

export function exportMenu(menu, eid, secret) {
  const all = $("#export-all", menu);
  const links = [...menu.querySelectorAll("a[data-format]")];
  // The printable page opens in the browser; everything else downloads.
  const point = () => links.forEach((link) => {
    const { format } = link.dataset;
    link.href = exportUrl(eid, secret, format, { all: all.checked, download: format !== "html" });
  });
  all.addEventListener("change", point);
  point();
  menu.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-format]");
    const save = bridge("save_file");
    if (!link || !save) return;
    event.preventDefault();
    saveInWindow(save, menu, () => exportFile(eid, secret, link.dataset.format, all.checked));
  });
}

async function saveInWindow(save, menu, fetchFile) {
  const message = $("#export-message", menu);
  if (menu.classList.contains("busy")) return;
  menu.classList.add("busy");
  say(message, "", "ok");
  try {
    const { filename, text } = await fetchFile();
    const path = await save(filename, text);
    // No path: the host cancelled the dialog, and that needs no message.
    if (path) say(message, savedSentence(path), "ok", { fade: false });
  } catch (error) {
    const reason = error instanceof ApiError ? error.message
      : t("The file could not be saved: {reason}", { reason: error.message || String(error) });
    say(message, reason, "problem");
  } finally {
    menu.classList.remove("busy");
  }
}

function savedSentence(path) {
  const printable = /\.html?$/i.test(path);
  return printable ? t("Saved to {path}. Open it in a web browser to print it.", { path })
    : t("Saved to {path}", { path });
}
