#!/usr/bin/env node

/**
 * bin/iclaude of the npm package when install scripts did not run (`--ignore-scripts`): runs the
 * native binary with the same arguments, stdio and exit code. With install scripts, install.js puts
 * a link to the native binary here instead, so no Node process stands in front of a prompt's refresh.
 */
const { spawn } = require("node:child_process");
const { nativeBinary } = require("../platform.js");

let bin;
try {
  bin = nativeBinary();
} catch (error) {
  process.stderr.write(`iclaude: ${error.message}\n`);
  process.exit(1);
}
const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  process.stderr.write(`iclaude: cannot run ${bin}: ${error.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
