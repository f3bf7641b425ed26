import { readFileSync } from "node:fs";

/**
 * The page's static files (assets/page.html, page.css, page.js), read from
 * disk next to src/ or dist/. A single-executable build replaces exactly
 * this module with one that returns the files inlined: keep its name, path
 * and export.
 */
export function readAsset(name: string): string {
  return readFileSync(new URL(`../assets/${name}`, import.meta.url), "utf8");
}
