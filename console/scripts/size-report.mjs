// What the first page load costs: the entry chunk of index.html and every chunk it imports
// statically (and their CSS), gzipped, from Vite's manifest. Lazy chunks (charts, the editor)
// are left out: they load only on the pages that need them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = new URL("../dist/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));

const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);

let total = 0;
for (const file of [...files].sort()) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`  ${file}: ${(size / 1024).toFixed(1)} KB gzipped`);
}
const kb = total / 1024;
console.log(`first load: ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB): ${kb <= BUDGET_KB ? "ok" : "over"}`);
if (kb > BUDGET_KB) process.exitCode = 1;
