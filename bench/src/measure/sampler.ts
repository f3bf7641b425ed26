/** Samples a value on a timer and keeps the peak: RSS while a sender pushes. */
export function samplePeak(read: () => number, intervalMs: number): () => number {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, read());
  };
}
