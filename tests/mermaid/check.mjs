// Parse Mermaid diagrams with the real Mermaid parser (the one GitHub renders comments with).
//
//   node tests/mermaid/check.mjs < diagram.mmd
//       exit 0 when the diagram parses; else exit 1 and the parser's error on stderr.
//   node tests/mermaid/check.mjs --json < diagrams.json
//       a JSON array of diagrams in, a JSON array out: null for each one that parses, else
//       the parser's error; exit 0 when all parse, else 1. Many diagrams, one Node start.
//
// Mermaid comes from .venv/mermaid/node_modules, where scripts/install.sh puts the versions
// that package.json and package-lock.json beside this file pin (SCHEMADIFF_MERMAID_MODULES
// overrides the folder). Parsing needs no DOM.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";

const modules =
  process.env.SCHEMADIFF_MERMAID_MODULES ??
  fileURLToPath(new URL("../../.venv/mermaid/node_modules", import.meta.url));
const require = createRequire(join(modules, "resolve-from-here.js"));
const { default: mermaid } = await import(pathToFileURL(require.resolve("mermaid")).href);
mermaid.initialize({ startOnLoad: false });

async function problem(diagram) {
  try {
    await mermaid.parse(diagram);
    return null;
  } catch (error) {
    return String(error?.message ?? error);
  }
}

const input = readFileSync(0, "utf8");
if (process.argv.includes("--json")) {
  const results = [];
  for (const diagram of JSON.parse(input)) results.push(await problem(diagram));
  process.stdout.write(JSON.stringify(results) + "\n");
  process.exit(results.every((r) => r === null) ? 0 : 1);
} else {
  const error = await problem(input);
  if (error !== null) process.stderr.write(error + "\n");
  process.exit(error === null ? 0 : 1);
}
