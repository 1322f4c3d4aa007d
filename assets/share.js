// The host's share panel: the guest link on this laptop's local network
// address, its QR code and the short address to type, a copy button, a network
// chooser when the laptop is on more than one, the projector view (and the
// Wi-Fi code it can show), and the export menu.

import { devices } from "./api.js";
import { bridge } from "./desktop.js";
import { exportMenu } from "./export.js";
import { GuestLink, shortAddress } from "./guestlink.js";
import { t, tn } from "./i18n.js";
import { $, notice } from "./ui.js";
import { wifiForm } from "./wifi.js";

const COPIED_MS = 1500;
const DEVICES_MS = 5000;

export function sharePanel(panel, eid, secret) {
  const link = new GuestLink(eid, (info, qr) => show(panel, info, qr));
  const chooser = $("#share-network", panel);
  chooser.addEventListener("change", () => link.choose(chooser.value));
  $("#share-event-button", panel).addEventListener("click", () => copy(panel));
  $("#projector-button", panel).addEventListener("click", () => openProjector(eid, link.ip));
  exportMenu($("#export-menu", panel), eid, secret);
  wifiForm($("#wifi-form", panel));
  link.start();
  // Give this page's own first poll a moment to be counted.
  setTimeout(() => countDevices($("#share-devices", panel), eid, secret), 1500);
}

// In the desktop window the projector gets a window of its own, which can be
// moved to the second screen; in a browser, a new tab does the same job.
async function openProjector(eid, ip) {
  const path = `/event/${eid}/projector${ip ? `?ip=${encodeURIComponent(ip)}` : ""}`;
  const open = bridge("open_projector");
  if (!open) {
    window.open(path, "_blank", "noopener");
    return;
  }
  try {
    if (!(await open(path))) notice(t("The projector view could not be opened."));
  } catch (error) {
    notice(t("The projector view could not be opened: {reason}", { reason: error.message }));
  }
}

// How many devices follow along: the speaker sees the room join.
async function countDevices(element, eid, secret) {
  if (!document.hidden) {
    try {
      const n = (await devices(eid, secret)).devices;
      element.textContent = tn("{n} device connected", "{n} devices connected", n);
      element.hidden = false;
    } catch {
      element.hidden = true;
    }
  }
  setTimeout(() => countDevices(element, eid, secret), DEVICES_MS);
}

function show(panel, info, qr) {
  const link = $("#share-link", panel);
  link.href = info.url;
  link.textContent = info.url;
  $("#share-qr", panel).src = qr;
  $("#share-short-address", panel).textContent = shortAddress(info.url);
  $("#share-qr-box", panel).hidden = !info.lan;
  $("#share-short", panel).hidden = !info.lan;
  $("#share-offline", panel).hidden = info.lan;
  networks(panel, info);
}

function networks(panel, info) {
  const row = $("#share-network-row", panel);
  const chooser = $("#share-network", panel);
  row.hidden = info.addresses.length < 2;
  const chosen = new URL(info.url).hostname;
  chooser.replaceChildren(...info.addresses.map((address) => {
    const values = { ip: address.ip, name: address.interface };
    const label = address.usable ? t("{ip} ({name})", values)
      : t("{ip} ({name}, phones may not reach it)", values);
    const option = new Option(label, address.ip);
    option.selected = address.ip === chosen;
    return option;
  }));
}

async function copy(panel) {
  const link = $("#share-link", panel);
  const label = $("#share-event-button span", panel);
  let copied = false;
  // The clipboard API needs a secure context: the laptop's own window has one
  // (127.0.0.1), a browser on another machine of the LAN over plain http does not.
  if (navigator.clipboard && window.isSecureContext) {
    copied = await navigator.clipboard.writeText(link.textContent).then(() => true, () => false);
  }
  if (!copied) {
    getSelection().selectAllChildren(link);
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  label.textContent = copied ? t("Link copied!") : t("Press Ctrl+C to copy the selected link");
  clearTimeout(label.timer);
  const restore = () => (label.textContent = t("Copy guest link"));
  label.timer = setTimeout(restore, copied ? COPIED_MS : 4000);
}
