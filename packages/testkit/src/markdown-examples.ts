import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import ts from "typescript";

/** A ```ts block of a Markdown file. */
export interface CodeBlock {
  /** The file's line of the block's first line of code. */
  line: number;
  code: string;
}

export function tsBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, match.index).split("\n").length + 1;
    blocks.push({ line, code: match[1]! });
  }
  return blocks;
}

/**
 * Compiles every ```ts block of `markdownPath` as its own ES module, the way
 * a program that installed the packages would: `modules` maps each import
 * name ("@fwd/core") to the built declaration file it resolves to. Returns
 * the type errors as `FILE.md:LINE:COL: message`, none when all is well.
 */
export function typecheckExamples(
  markdownPath: string,
  modules: Record<string, string>,
  typeRoots: string[],
): string[] {
  for (const [name, path] of Object.entries(modules)) {
    if (!existsSync(path)) throw new Error(`${path} (${name}) is missing: run "pnpm build" first`);
  }
  const blocks = tsBlocks(readFileSync(markdownPath, "utf8"));
  const scratch = mkdtempSync(join(tmpdir(), "fwd-examples-"));
  try {
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
      typeRoots,
      paths: Object.fromEntries(Object.entries(modules).map(([name, path]) => [name, [path]])),
    });
    const name = basename(markdownPath);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (!diagnostic.file || diagnostic.start === undefined) return text;
      const index = files.indexOf(diagnostic.file.fileName);
      const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const where =
        index < 0 ? diagnostic.file.fileName : `${name}:${blocks[index]!.line + at.line}`;
      return `${where}:${at.character + 1}: ${text}`;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
