import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCodes } from "../src/index.js";

/**
 * The README's examples are real: every ```ts block is compiled as its own
 * ES module against the package's built, public types (dist/*.d.ts, with
 * @internal members stripped), as a program that installed @fwd/core would.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(packageDir, "README.md"), "utf8");

interface Block {
  /** The README line of the block's first line of code. */
  line: number;
  code: string;
}

function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, match.index).split("\n").length + 1;
    blocks.push({ line, code: match[1]! });
  }
  return blocks;
}

const blocks = tsBlocks(readme);
const scratch = mkdtempSync(join(tmpdir(), "fwd-readme-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Type errors of every block, as `README.md:LINE:COL: message`. */
function typeErrors(): string[] {
  const types = (entry: string) => {
    const path = join(packageDir, "dist", `${entry}.d.ts`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run "pnpm build" first`);
    return path;
  };
  const files = blocks.map((block, i) => {
    const file = join(scratch, `example-${i}.mts`);
    writeFileSync(file, block.code);
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(packageDir, "node_modules", "@types")],
    paths: { "@fwd/core": [types("index")], "@fwd/core/protocol": [types("protocol")] },
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const index = files.indexOf(diagnostic.file.fileName);
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const where =
      index < 0 ? diagnostic.file.fileName : `README.md:${blocks[index]!.line + at.line}`;
    return `${where}:${at.character + 1}: ${text}`;
  });
}

describe("packages/core/README.md", () => {
  it("has a complete example for forward() and every start* function", () => {
    for (const call of [
      "forward(",
      "startUserServer(",
      "startUserClient(",
      "startMultiServer(",
      "startMultiClient(",
    ]) {
      const example = blocks.find((block) => block.code.includes(`await ${call}`));
      expect(example, `an example that calls ${call}`).toBeDefined();
      // Complete: it imports what it uses, handles the events, stops and awaits `done`.
      expect(example!.code).toMatch(/^import \{[^}]+\} from "@fwd\/core";$/m);
      expect(example!.code).toMatch(/\.on\("/);
      expect(example!.code).toMatch(/\.(close|destroy)\(\)/);
      expect(example!.code).toMatch(/\.done\b/);
    }
  });

  it("every ts example typechecks against the built public types", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(typeErrors()).toEqual([]);
  }, 60_000);

  it("lists every error code, each once", () => {
    const listed = [...readme.matchAll(/^\| `(ERR_FWD_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.values(ErrorCodes).sort());
  });
});
