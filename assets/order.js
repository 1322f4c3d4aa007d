// The order the server ranks a list in, for lists this page puts together from
// changes. lanqa/order.py's rank() is the rule; tests check that both agree.

const TOP_N = 5;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Milliseconds since the epoch, from the first 10 characters of a ULID. */
export function ulidMs(ulid) {
  let ms = 0;
  for (const char of ulid.slice(0, 10).toUpperCase()) ms = ms * 32 + CROCKFORD.indexOf(char);
  return ms;
}

function hotness(item, nowMs) {
  const minutes = Math.max(0, Math.floor((nowMs - ulidMs(item.qid)) / 60000));
  return Math.max(item.votes, 1) / (minutes + 1);
}

/** items (in id order) ranked at nowMs: open questions by votes, all but the top 5
 * re-sorted by hotness; then the answered and hidden ones, in id order. */
export function rank(items, nowMs) {
  const done = (q) => q.hidden || q.answered !== undefined;
  const open = items.filter((q) => !done(q)).sort((a, b) => b.votes - a.votes);
  const hot = new Map(open.map((q) => [q, hotness(q, nowMs)]));
  const rest = open.slice(TOP_N).sort((a, b) => hot.get(b) - hot.get(a));
  return [...open.slice(0, TOP_N), ...rest, ...items.filter(done)];
}
