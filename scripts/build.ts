/** `npm run build`: compiles dist/iclaude for this machine. */
import pkg from "../package.json" with { type: "json" };
import { compile } from "./compile.ts";

const outfile = process.argv[2] ?? "dist/iclaude";
try {
  await compile(outfile);
} catch (error) {
  for (const message of error instanceof AggregateError ? error.errors : [error]) console.error(message);
  process.exit(1);
}
console.log(`built ${outfile} (iclaude ${pkg.version})`);
