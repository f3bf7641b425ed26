/**
 * A copy of `view` in a buffer of its own. Buffer.from() of a large view
 * copies byte by byte through the array-like path; this is one memcpy.
 */
export function copyOf(view: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafe(view.length);
  copy.set(view);
  return copy;
}
