/**
 * postinstall of the npm package: bin/iclaude becomes a link to the native binary of the platform
 * package, so `iclaude` on PATH is that binary itself. Should linking fail, the Node launcher stays,
 * which works too: nothing here may fail the install.
 */
const { chmodSync, renameSync, symlinkSync, unlinkSync } = require("node:fs");
const { join, relative } = require("node:path");
const { nativeBinary } = require("./platform.js");

try {
  const native = nativeBinary();
  chmodSync(native, 0o755);
  const bin = join(__dirname, "bin", "iclaude");
  const link = `${bin}.link`;
  try {
    unlinkSync(link);
  } catch {
    // None left over.
  }
  symlinkSync(relative(join(__dirname, "bin"), native), link);
  renameSync(link, bin);
} catch (error) {
  process.stderr.write(`iclaude: keeping the Node launcher (${error.message})\n`);
}
