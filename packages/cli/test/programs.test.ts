/**
 * The config files that ship: generated schemas and docs in step with the
 * flag specs, and every example valid for its program, down to the options
 * the program starts with.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { makeCertificate } from "@fwd/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { generatedFiles, programs, root } from "../../../scripts/config-files.js";
import { toMultiClientOptions } from "../../multi-client/src/cli.js";
import { toMultiServerOptions } from "../../multi-server/src/cli.js";
import { toForwardOptions } from "../../tcp-forwarding/src/cli.js";
import { toUserClientOptions } from "../../user-client/src/cli.js";
import { toUserServerOptions } from "../../user-server/src/cli.js";
import { scopeOf } from "../src/config/check-entries.js";
import { checkConfig, loadConfig } from "../src/config/load.js";
import type { CliSpec } from "../src/parse.js";
import { tempDir } from "./temp-files.js";

const byName = new Map(programs.map((spec) => [spec.name, spec]));

describe("generated files", () => {
  it.each([...generatedFiles()])("%s is up to date with the flag specs", (path, content) => {
    const committed = readFileSync(join(root, path), "utf8");
    // On failure: run `pnpm schema` and commit the result.
    expect(committed === content, `${path} is out of date: run pnpm schema`).toBe(true);
  });

  it("ships each schema in its package", () => {
    for (const spec of programs) {
      const pkg = JSON.parse(
        readFileSync(join(root, `packages/${spec.name}/package.json`), "utf8"),
      );
      expect(pkg.files).toContain("config.schema.json");
      expect(pkg.exports["./config.schema.json"]).toBe("./config.schema.json");
    }
  });
});

describe("flag specs", () => {
  it.each(programs.map((spec) => [spec.name, spec] as const))(
    "%s: tunnels are told apart by per-tunnel flags",
    (_name, spec) => {
      if (!spec.tunnels) return;
      for (const key of [spec.tunnels.host, spec.tunnels.port]) {
        if (key === undefined) continue;
        expect(spec.flags[key], key).toBeDefined();
        expect(scopeOf(spec, key), key).toBe("tunnel");
      }
    },
  );

  it.each(programs.map((spec) => [spec.name, spec] as const))(
    "%s: the server address, token and TLS are program-wide",
    (_name, spec) => {
      const programWide = Object.keys(spec.flags).filter((key) =>
        /^(server_host|server_port|token|token_file|tls.*|protocol)$/.test(key),
      );
      for (const key of programWide) expect(scopeOf(spec, key), key).toBe("program");
    },
  );

  it("has tunnels exactly for the forwarder and the two clients", () => {
    expect(programs.filter((spec) => spec.tunnels).map((spec) => spec.name)).toEqual([
      "tcp-forwarding",
      "user-client",
      "multi-client",
    ]);
  });
});

const examplesDir = join(root, "examples");
const examples = readdirSync(examplesDir, { recursive: true, encoding: "utf8" })
  .filter((path) => /\.(toml|json)$/.test(path))
  .sort();

const toOptions: Record<string, (values: never, env: NodeJS.ProcessEnv) => unknown> = {
  "tcp-forwarding": toForwardOptions,
  "user-server": toUserServerOptions,
  "user-client": toUserClientOptions,
  "multi-server": toMultiServerOptions,
  "multi-client": toMultiClientOptions,
};

function programOf(example: string): CliSpec {
  const name = basename(example).replace(/\.(toml|json)$/, "");
  const spec = byName.get(name);
  if (!spec) throw new Error(`${example}: name it after its program (${[...byName.keys()]})`);
  return spec;
}

describe("examples", () => {
  const copies = tempDir("fwd-examples-");
  afterAll(() => copies.remove());

  it("cover every program", () => {
    expect(new Set(examples.map((example) => programOf(example).name))).toEqual(
      new Set(byName.keys()),
    );
  });

  it.each(examples)("%s is valid for its program", (example) => {
    const text = readFileSync(join(examplesDir, example), "utf8");
    expect(checkConfig(text, example, programOf(example))).toEqual([]);
  });

  it.each(examples)("%s names its schema and says how to run it", (example) => {
    const spec = programOf(example);
    const text = readFileSync(join(examplesDir, example), "utf8");
    const schema = `../../packages/${spec.name}/config.schema.json`;
    if (example.endsWith(".json")) {
      expect(JSON.parse(text).$schema).toBe(schema);
    } else {
      expect(text.split("\n")[0]).toBe(`#:schema ${schema}`);
      expect(text).toContain(`#   ${spec.name} --config ${basename(example)}\n`);
    }
  });

  it.each(examples)("%s gives its program options it can start with", async (example) => {
    const spec = programOf(example);
    // A copy with the files the example names: its token and certificate.
    const dir = join(copies.dir, example.replace(/[/\\]/g, "_"));
    cpSync(join(examplesDir, example), join(dir, basename(example)));
    const certificate = await makeCertificate();
    writeFileSync(join(dir, "fwd.token"), "0123456789abcdef0123456789abcdef\n");
    writeFileSync(join(dir, "server.crt"), certificate.cert);
    writeFileSync(join(dir, "server.key"), certificate.key);
    const config = await loadConfig(join(dir, basename(example)), spec);
    expect(config.tunnels.length).toBeGreaterThan(0);
    for (const tunnel of config.tunnels) {
      expect(() => toOptions[spec.name]!(tunnel.values as never, {})).not.toThrow();
    }
  });
});
