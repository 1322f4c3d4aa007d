// Which section of the page each question goes in, and in what order: Review (the
// host's, before anyone else sees them), Now answering, Pending, Answered, Hidden.

/** items ({qid, votes, hidden, answered?, review?, highlighted?, waiting?}) by section:
 * {review, now, pending, more, answered, hidden}. Pending shows `shown` questions at
 * most (more: how many it leaves out), but always those up to the last of `keep`. */
export function sections(items, { order, shown, keep = () => false }) {
  const visible = items.filter((q) => !q.hidden);
  // In review, oldest first: the order they came in.
  const review = visible.filter((q) => q.review).sort((a, b) => (a.qid < b.qid ? -1 : 1));
  const open = visible.filter((q) => !q.review && q.answered === undefined);
  const now = open.filter((q) => q.highlighted);
  let pending = open.filter((q) => !q.highlighted);
  if (order === "recent") pending.sort((a, b) => (a.qid < b.qid ? 1 : -1));
  let last = -1;
  pending.forEach((q, index) => {
    if (keep(q)) last = index;
  });
  const more = Math.max(0, pending.length - Math.max(shown, last + 1));
  if (more) pending = pending.slice(0, pending.length - more);
  const answered = visible.filter((q) => !q.review && q.answered !== undefined)
    .sort((a, b) => a.answered - b.answered);
  const hidden = items.filter((q) => q.hidden);
  return { review, now, pending, more, answered, hidden };
}
