// The host's share panel: the guest link on this laptop's local network
// address, its QR code, a copy button, and a network chooser when the laptop
// is on more than one.

import { devices, qrUrl, share } from "./api.js";
import { $ } from "./ui.js";

const COPIED_MS = 1500;
const DEVICES_MS = 5000;

export function sharePanel(panel, eid, secret) {
  const chooser = $("#share-network", panel);
  chooser.addEventListener("change", () => load(panel, eid, chooser.value));
  $("#share-event-button", panel).addEventListener("click", () => copy(panel));
  load(panel, eid, null);
  // Give this page's own first poll a moment to be counted.
  setTimeout(() => countDevices($("#share-devices", panel), eid, secret), 1500);
}

// How many devices follow along: the speaker sees the room join.
async function countDevices(element, eid, secret) {
  if (!document.hidden) {
    try {
      const n = (await devices(eid, secret)).devices;
      element.textContent = `${n} ${n === 1 ? "device" : "devices"} connected`;
      element.hidden = false;
    } catch {
      element.hidden = true;
    }
  }
  setTimeout(() => countDevices(element, eid, secret), DEVICES_MS);
}

async function load(panel, eid, ip) {
  let info;
  try {
    info = await share(eid, ip);
  } catch {
    // Still offer something: the link this page was opened with, minus the secret.
    info = { url: `${location.origin}/event/${eid}`, lan: true, addresses: [] };
  }
  const link = $("#share-link", panel);
  link.href = info.url;
  link.textContent = info.url;
  $("#share-qr", panel).src = qrUrl(eid, ip);
  $("#share-qr-box", panel).hidden = !info.lan;
  $("#share-offline", panel).hidden = info.lan;
  networks(panel, info);
}

function networks(panel, info) {
  const row = $("#share-network-row", panel);
  const chooser = $("#share-network", panel);
  row.hidden = info.addresses.length < 2;
  const chosen = new URL(info.url).hostname;
  chooser.replaceChildren(...info.addresses.map((address) => {
    const warning = address.usable ? "" : ", phones may not reach it";
    const option = new Option(`${address.ip} (${address.interface}${warning})`, address.ip);
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
  label.textContent = copied ? "Link copied!" : "Press Ctrl+C to copy the selected link";
  clearTimeout(label.timer);
  const restore = () => (label.textContent = "Copy guest link");
  label.timer = setTimeout(restore, copied ? COPIED_MS : 4000);
}
