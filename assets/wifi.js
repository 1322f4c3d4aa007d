// The room's Wi-Fi as a second QR code on the projector. The host types the
// network's name and password in the share panel; they stay on this laptop:
// in its browser's storage, drawn by a route that answers the laptop alone,
// and shown nowhere but on the projector.

import { wifiQr } from "./api.js";
import { t } from "./i18n.js";
import { saveWifi, savedWifi, watchWifi } from "./store.js";
import { $, say } from "./ui.js";

const TEXT = {
  missing: t("Type the network's name and its password."),
  shown: t("The projector view shows a QR code that joins this Wi-Fi."),
  removed: t("The projector view shows no Wi-Fi code."),
};

/** The share panel's Wi-Fi form: checked by the server, then remembered. */
export function wifiForm(form) {
  const { name, password } = form.elements;
  const message = $(".form-message", form);
  const known = savedWifi();
  if (known) [name.value, password.value] = [known.name, known.password];
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wifi = { name: name.value.trim(), password: password.value };
    if (!wifi.name || !wifi.password) {
      say(message, TEXT.missing, "problem");
      return;
    }
    try {
      await wifiQr(wifi.name, wifi.password); // refused (with a sentence) but on the laptop
    } catch (error) {
      say(message, error.message, "problem");
      return;
    }
    saveWifi(wifi);
    say(message, TEXT.shown, "ok");
  });
  $("#wifi-clear", form).addEventListener("click", () => {
    saveWifi(null);
    form.reset();
    say(message, TEXT.removed, "ok");
  });
}

/** onChange({name, password, src}) with the code as an image address, or
 * onChange(null): now, and whenever the share panel changes it. */
export function followWifi(onChange) {
  const show = async () => {
    const wifi = savedWifi();
    try {
      const svg = wifi && await wifiQr(wifi.name, wifi.password);
      onChange(svg ? { ...wifi, src: `data:image/svg+xml,${encodeURIComponent(svg)}` } : null);
    } catch {
      onChange(null); // not on the laptop, or the server is gone: no code rather than a stale one
    }
  };
  watchWifi(show);
  show();
}
