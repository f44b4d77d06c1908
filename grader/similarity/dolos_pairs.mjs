// Compares one lab's submissions with Dolos and prints the pairs as JSON on stdout.
// Run by the grader (grader/src/batch/similarity.cpp), never by students:
//
//   node dolos_pairs.mjs DOLOS_DIR SPEC.json
//
// DOLOS_DIR is where install.sh put node_modules/@dodona/dolos-lib. SPEC.json:
//   {"files": [{"name": "alice", "path": "/tmp/.../alice.cpp"}, ...],
//    "template": "/tmp/.../starter.cpp" or null, "max_pairs": 50, "max_fragments": 5}
// Output: {"pairs": [{"left", "right", "similarity", "longest", "fragments":
//   [{"left": [first, last], "right": [first, last], "tokens"}]}]}, most similar first;
// lines are 1-based. Errors go to stderr with exit status 1.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dolosDir, specPath] = process.argv.slice(2);
if (!dolosDir || !specPath) {
  console.error("usage: node dolos_pairs.mjs DOLOS_DIR SPEC.json");
  process.exit(2);
}
const library = path.join(dolosDir, "node_modules", "@dodona", "dolos-lib", "dist", "index.js");
const { Dolos } = await import(pathToFileURL(library).href);
const spec = JSON.parse(await readFile(specPath, "utf8"));

const nameOf = new Map(spec.files.map((f) => [path.resolve(f.path), f.name]));
const dolos = new Dolos({ language: "cpp" });
const report = await dolos.analyzePaths(spec.files.map((f) => f.path), spec.template ?? undefined);

// A fragment's extent in lines, from the regions Dolos gives (0-based rows).
const lines = (region) => [region.startRow + 1, region.endRow + 1];

const pairs = report.allPairs()
  .sort((a, b) => b.similarity - a.similarity || b.longest - a.longest)
  .slice(0, spec.max_pairs ?? 50)
  .map((pair) => ({
    left: nameOf.get(path.resolve(pair.leftFile.path)),
    right: nameOf.get(path.resolve(pair.rightFile.path)),
    similarity: pair.similarity,
    longest: pair.longest,
    fragments: pair.buildFragments()
      .sort((a, b) => b.pairs.length - a.pairs.length)
      .slice(0, spec.max_fragments ?? 5)
      .map((fragment) => ({
        left: lines(fragment.leftSelection),
        right: lines(fragment.rightSelection),
        tokens: fragment.pairs.length,
      })),
  }));
process.stdout.write(JSON.stringify({ pairs }) + "\n");
