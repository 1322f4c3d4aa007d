// The desktop window's bridge to Python (class Bridge in lanqa/desktop.py).
// pywebview adds window.pywebview.api a moment after the page has loaded, and
// a browser never has it, so callers ask for it when they need it.

/** The bridge function `name`, or null outside the desktop window (or before it is ready). */
export function bridge(name) {
  const api = window.pywebview && window.pywebview.api;
  return api && typeof api[name] === "function" ? (...args) => api[name](...args) : null;
}
