/** `npm run build`: compiles dist/iclaude for this machine, and writes its man page beside it (dist/iclaude.1). */
import { dirname, join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { compile } from "./compile.ts";
import { writeManPage } from "./man.ts";

const outfile = process.argv[2] ?? "dist/iclaude";
const manPage = join(dirname(outfile), "iclaude.1");
try {
  await Promise.all([compile(outfile), writeManPage(manPage)]);
} catch (error) {
  for (const message of error instanceof AggregateError ? error.errors : [error]) console.error(message);
  process.exit(1);
}
console.log(`built ${outfile} (iclaude ${pkg.version}) and ${manPage}`);
