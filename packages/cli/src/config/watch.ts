/**
 * Calls back when a config file's content changes. It watches the file's
 * directory, not the file: editors save by writing a new file and renaming
 * it over the old one, which leaves a watch on the old file looking at
 * nothing. Events are debounced (one save is several events) and a change
 * that leaves the bytes as they were (touch, a save without edits) is no
 * change. Portable: fs.watch on a directory works on Linux, macOS and Windows.
 */
import { createHash } from "node:crypto";
import { readFileSync, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import createDebug from "debug";

const debug = createDebug("fwd:cli:config");

export interface WatchOptions {
  /** Stops watching when aborted. */
  signal?: AbortSignal;
  /** Quiet time after the last event before the file is read (default 100 ms). */
  debounceMs?: number;
  /** Watching failed (the directory went away, too many watches), or onChange threw. */
  onError?: (err: Error) => void;
  /** The file was written but its bytes are as before (a touch, a save without edits). */
  onUnchanged?: () => void;
}

function digest(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

async function readDigest(path: string): Promise<{ text: string; hash: string } | undefined> {
  try {
    const content = await readFile(path);
    return { text: content.toString("utf8"), hash: digest(content) };
  } catch {
    return undefined; // between an unlink and a rename: the next event reads it
  }
}

/** The current content's digest, read once at start (a missing file has none). */
function digestNow(path: string): string | undefined {
  try {
    return digest(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * Watches `path`; `onChange(text)` gets the new content each time it differs
 * from the last seen (the content at the call is the first seen). Returns the
 * function that stops watching, which `signal` also calls.
 */
export function watchConfigFile(
  path: string,
  onChange: (text: string) => void,
  { signal, debounceMs = 100, onError, onUnchanged }: WatchOptions = {},
): () => void {
  const file = resolve(path);
  const name = basename(file);
  let last = digestNow(file);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let reading = Promise.resolve();

  const readAndReport = async () => {
    const now = await readDigest(file);
    if (stopped || now === undefined) return;
    if (now.hash === last) {
      onUnchanged?.();
      return;
    }
    last = now.hash;
    debug("%s changed", file);
    onChange(now.text);
  };
  const check = () => {
    timer = undefined;
    // One read at a time, in order: a slow read cannot report stale content
    // last. A callback that throws is reported and the watch goes on.
    reading = reading.then(readAndReport).catch((err: unknown) => {
      debug("a change of %s was not handled: %O", file, err);
      onError?.(err instanceof Error ? err : new Error(String(err)));
    });
  };
  const watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    // Some platforms leave out the name; then any event may be ours.
    if (changed !== null && changed.toString() !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  });
  watcher.on("error", (err) => {
    debug("watching %s failed: %O", file, err);
    onError?.(err);
  });

  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    watcher.close();
    signal?.removeEventListener("abort", stop);
  };
  if (signal?.aborted) stop();
  else signal?.addEventListener("abort", stop, { once: true });
  return stop;
}
