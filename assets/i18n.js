// The page's language: its catalog comes inside the page (see lanqa/i18n.py), so
// no request and no build step stand between a phone and its first words.
// t(english, {name}) and tn(singular, plural, n) look the English up in the
// catalog; numbers, plurals and ages come from Intl. (No call with a literal in
// these comments: lanqa/i18n.py's marked() would take it for a string to translate.)

const data = JSON.parse(document.getElementById("catalog").textContent);

export const lang = data.lang;
export const languages = data.languages;

const plurals = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);
const ages = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" });

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in values)) return whole;
    const value = values[name];
    return typeof value === "number" ? numbers.format(value) : String(value);
  });
}

/** message in this page's language, its {placeholders} filled from values. */
export function t(message, values = {}) {
  const said = data.messages[message];
  return fill(typeof said === "string" ? said : message, values);
}

/** The same for a sentence about n things; {n} in it is the number. */
export function tn(singular, plural, n, values = {}) {
  const forms = data.messages[singular];
  let said = n === 1 ? singular : plural;
  if (Array.isArray(forms)) {
    said = forms[data.plural_tags.indexOf(plurals.select(n))] || forms[forms.length - 1];
  }
  return fill(said, { ...values, n });
}

/** "now", "42 sec. ago", "5 min. ago"… for an age in seconds. */
export function age(seconds) {
  if (seconds < 10) return ages.format(0, "second");
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (seconds >= size) return ages.format(-Math.floor(seconds / size), unit);
  }
  return ages.format(-Math.floor(seconds), "second");
}

/** Choose another language: remembered on this device, for every page of LanQA. */
export function choose(code) {
  document.cookie = `lanqa_lang=${code}; max-age=${400 * 86400}; path=/; samesite=lax`;
  location.reload();
}
