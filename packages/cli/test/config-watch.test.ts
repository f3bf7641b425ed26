import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type WatchOptions, watchConfigFile } from "../src/config/watch.js";
import { tempDir } from "./temp-files.js";

type Event = { kind: "change"; text: string } | { kind: "unchanged" };

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Watches a file and hands out what it reports, in order, one await at a time. */
function record(path: string, options: WatchOptions = {}) {
  const seen: Event[] = [];
  const waiting: ((event: Event) => void)[] = [];
  const push = (event: Event) => {
    const waiter = waiting.shift();
    if (waiter) waiter(event);
    else seen.push(event);
  };
  const stop = watchConfigFile(path, (text) => push({ kind: "change", text }), {
    debounceMs: 20,
    ...options,
    onUnchanged: () => push({ kind: "unchanged" }),
  });
  return {
    stop,
    seen,
    next(): Promise<Event> {
      const event = seen.shift();
      return event ? Promise.resolve(event) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("watchConfigFile", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  function setUp(content: string | undefined = "bind_port = 1\n") {
    const dir = tempDir("fwd-watch-");
    cleanups.push(() => dir.remove());
    const path = join(dir.dir, "fwd.toml");
    if (content !== undefined) writeFileSync(path, content);
    return { dir, path };
  }
  function watching(path: string, options?: WatchOptions) {
    const watcher = record(path, options);
    cleanups.push(watcher.stop);
    return watcher;
  }

  it("reports a write with the new content", async () => {
    const { path } = setUp();
    const watcher = watching(path);
    writeFileSync(path, "bind_port = 2\n");
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 2\n" });
  });

  it("reports a save by rename, as editors do", async () => {
    const { dir, path } = setUp();
    const watcher = watching(path);
    const swap = dir.write("fwd.toml.swp", "bind_port = 3\n");
    renameSync(swap, path);
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 3\n" });
    // And keeps watching the new file.
    writeFileSync(path, "bind_port = 4\n");
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 4\n" });
  });

  it("ignores a write that leaves the bytes as they were", async () => {
    const { path } = setUp("bind_port = 1\n");
    const watcher = watching(path);
    writeFileSync(path, "bind_port = 1\n");
    expect(await watcher.next()).toEqual({ kind: "unchanged" });
    writeFileSync(path, "bind_port = 5\n");
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 5\n" });
  });

  it("debounces a burst of writes into one read of the last content", async () => {
    const { path } = setUp();
    const watcher = watching(path, { debounceMs: 50 });
    for (let i = 10; i <= 15; i++) writeFileSync(path, `bind_port = ${i}\n`);
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 15\n" });
    writeFileSync(path, "bind_port = 15\n");
    // Had the burst been read twice, a second change would come before this.
    expect(await watcher.next()).toEqual({ kind: "unchanged" });
  });

  it("ignores other files in the directory", async () => {
    const { dir, path } = setUp();
    const watcher = watching(path);
    dir.write("other.toml", "x = 1\n");
    writeFileSync(path, "bind_port = 6\n");
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 6\n" });
  });

  it("goes on watching after onChange throws, and reports the throw", async () => {
    const { path } = setUp();
    const seen: string[] = [];
    const failed = deferred<Error>();
    const second = deferred<void>();
    const stop = watchConfigFile(
      path,
      (text) => {
        seen.push(text);
        if (seen.length === 1) throw new Error("bad reload");
        second.resolve();
      },
      { debounceMs: 20, onError: failed.resolve },
    );
    cleanups.push(stop);
    writeFileSync(path, "bind_port = 11\n");
    expect((await failed.promise).message).toBe("bad reload");
    writeFileSync(path, "bind_port = 12\n");
    await second.promise;
    expect(seen).toEqual(["bind_port = 11\n", "bind_port = 12\n"]);
  });

  it("reports a file created after watching started", async () => {
    const { path } = setUp(undefined);
    const watcher = watching(path);
    writeFileSync(path, "bind_port = 7\n");
    expect(await watcher.next()).toEqual({ kind: "change", text: "bind_port = 7\n" });
  });

  it.each([
    ["its signal", "abort"],
    ["the function it returned", "undo"],
  ])("stops on %s", async (_how, how) => {
    const { path } = setUp();
    const controller = new AbortController();
    // No debounce: if it still watched, it would report before the live watcher.
    const stopped = record(path, { signal: controller.signal, debounceMs: 0 });
    cleanups.push(stopped.stop);
    const live = watching(path, { debounceMs: 50 });
    if (how === "abort") controller.abort();
    else stopped.stop();
    writeFileSync(path, "bind_port = 8\n");
    expect(await live.next()).toEqual({ kind: "change", text: "bind_port = 8\n" });
    expect(stopped.seen).toEqual([]);
  });

  it("does not start when its signal is already aborted", async () => {
    const { path } = setUp();
    const quiet = record(path, { signal: AbortSignal.abort(), debounceMs: 0 });
    const live = watching(path, { debounceMs: 50 });
    writeFileSync(path, "bind_port = 9\n");
    expect(await live.next()).toEqual({ kind: "change", text: "bind_port = 9\n" });
    expect(quiet.seen).toEqual([]);
  });
});
