/**
 * Finds the native iclaude of this machine in the platform package npm installed beside this one
 * (one of the optionalDependencies; npm installs only the one whose os, cpu and libc match).
 */
const { dirname, join } = require("node:path");

function libc() {
  if (process.platform !== "linux") return "";
  const report = typeof process.report?.getReport === "function" ? process.report.getReport() : null;
  return report?.header?.glibcVersionRuntime ? "" : "-musl";
}

/** The platform packages that can run here, the likeliest first. */
function candidates() {
  const base = `iclaude-${process.platform}-${process.arch}`;
  if (process.platform !== "linux") return [base];
  return libc() ? [`${base}-musl`, base] : [base, `${base}-musl`];
}

/** The native binary's path; throws one sentence when none is installed. */
function nativeBinary() {
  for (const name of candidates()) {
    try {
      return join(dirname(require.resolve(`${name}/package.json`)), "iclaude");
    } catch {
      // Not installed: try the next.
    }
  }
  throw new Error(
    `no native iclaude for ${process.platform}-${process.arch} is installed (the optional package ${candidates()[0]}); reinstall without --omit=optional, or download the binary from the release.`,
  );
}

module.exports = { nativeBinary };
