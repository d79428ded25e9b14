import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempHome } from "./helpers.ts";

/** A private key made by a real tool at test time, and the guard rule that must find it. */
export interface RealKey {
  name: string;
  rule: "private-key" | "putty-private-key";
  text: string;
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<void> {
  const proc = Bun.spawn(argv, { env: { PATH: "/usr/local/bin:/usr/bin:/bin", ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${argv.join(" ")} failed (${code}): ${stderr}`);
}

/** ssh-keygen, openssl, puttygen (Debian's putty-tools) and gpg, each key type and format they write. */
async function make(): Promise<RealKey[]> {
  const dir = tempHome("iclaude-keys-");
  const at = (name: string) => join(dir, name);
  const ssh = (type: string, format: string[], file: string, pass = "") =>
    run(["ssh-keygen", "-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", pass, "-C", "", ...format, "-f", at(file)]);
  const keys: Array<[string, RealKey["rule"], string]> = [];
  const jobs: Array<Promise<void>> = [];
  for (const type of ["ed25519", "rsa", "ecdsa", "dsa"]) {
    jobs.push(ssh(type, [], `ssh-${type}`));
    keys.push([`ssh-keygen -t ${type} (OpenSSH)`, "private-key", `ssh-${type}`]);
    if (type !== "ed25519") {
      jobs.push(ssh(type, ["-m", "PEM"], `pem-${type}`));
      keys.push([`ssh-keygen -t ${type} -m PEM`, "private-key", `pem-${type}`]);
    }
  }
  jobs.push(ssh("ed25519", [], "ssh-encrypted", "correct horse"), ssh("rsa", ["-m", "PKCS8"], "ssh-pkcs8"));
  keys.push(["ssh-keygen -t ed25519 -N passphrase", "private-key", "ssh-encrypted"], ["ssh-keygen -t rsa -m PKCS8", "private-key", "ssh-pkcs8"]);
  const openssl: Array<[string, string[]]> = [
    ["openssl genpkey -algorithm ed25519", ["genpkey", "-algorithm", "ed25519", "-out", at("ossl-ed25519")]],
    ["openssl genpkey -algorithm RSA", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", at("ossl-rsa")]],
    ["openssl genrsa -traditional", ["genrsa", "-traditional", "-out", at("ossl-rsa-traditional"), "2048"]],
    ["openssl genrsa -traditional -aes128", ["genrsa", "-traditional", "-aes128", "-passout", "pass:pw", "-out", at("ossl-rsa-traditional-aes"), "2048"]],
    ["openssl ecparam -genkey", ["ecparam", "-name", "prime256v1", "-genkey", "-out", at("ossl-ec")]],
    [
      "openssl genpkey -aes-256-cbc (encrypted PKCS#8)",
      ["genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:pw", "-out", at("ossl-pkcs8-encrypted")],
    ],
  ];
  for (const [name, args] of openssl) {
    jobs.push(run(["openssl", ...args]));
    keys.push([name, "private-key", (args[args.indexOf("-out") + 1] as string).slice(dir.length + 1)]);
  }
  jobs.push(puttygen(dir), gpgKey(dir));
  keys.push(
    ["puttygen -t ed25519 (.ppk)", "putty-private-key", "putty-ed25519"],
    ["puttygen -t rsa (.ppk)", "putty-private-key", "putty-rsa"],
    ["puttygen -t ed25519 with a passphrase (.ppk)", "putty-private-key", "putty-encrypted"],
    ["puttygen -O private-sshcom (SSH2)", "private-key", "putty-sshcom"],
    ["gpg --export-secret-keys --armor", "private-key", "gpg.asc"],
  );
  await Promise.all(jobs);
  return keys.map(([name, rule, file]) => ({ name, rule, text: readFileSync(at(file), "utf8") }));
}

async function puttygen(dir: string): Promise<void> {
  const empty = join(dir, "empty-passphrase");
  const pass = join(dir, "passphrase");
  writeFileSync(empty, "");
  writeFileSync(pass, "correct horse\n");
  await Promise.all([
    run(["puttygen", "-q", "-t", "ed25519", "--new-passphrase", empty, "-o", join(dir, "putty-ed25519")]),
    run(["puttygen", "-q", "-t", "rsa", "-b", "2048", "--new-passphrase", empty, "-o", join(dir, "putty-rsa")]),
    run(["puttygen", "-q", "-t", "ed25519", "--new-passphrase", pass, "-o", join(dir, "putty-encrypted")]),
  ]);
  await run(["puttygen", join(dir, "putty-rsa"), "-O", "private-sshcom", "-o", join(dir, "putty-sshcom")]);
}

/** An unprotected key in a GNUPGHOME of its own, exported armored; its agent is stopped at once. */
async function gpgKey(dir: string): Promise<void> {
  const env = { GNUPGHOME: join(dir, "gnupg"), HOME: dir };
  await run(["mkdir", "-m", "700", env.GNUPGHOME]);
  const gpg = ["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""];
  try {
    await run([...gpg, "--quick-gen-key", "Test Key <test@example.com>", "ed25519", "default", "never"], env);
    await run([...gpg, "--armor", "--output", join(dir, "gpg.asc"), "--export-secret-keys"], env);
  } finally {
    await run(["gpgconf", "--kill", "gpg-agent"], env);
  }
}

let made: Promise<RealKey[]> | null = null;

/** Every real key, made once per test run. */
export const realKeys = (): Promise<RealKey[]> => (made ??= make());

/** Lines of base64 `width` wide, as `base64 -w width` writes them (0: one line). */
export const wrapBase64 = (bytes: string | Buffer, width: number): string => {
  const encoded = Buffer.from(bytes).toString("base64");
  return width === 0 ? `${encoded}\n` : `${encoded.match(new RegExp(`.{1,${width}}`, "g"))?.join("\n")}\n`;
};

/** A key as a file holds it, and pasted into JSON and into a YAML block. */
export const pasted = (key: string): Record<string, string> => ({
  plain: key,
  JSON: `${JSON.stringify({ name: "deploy", key }, null, 2)}\n`,
  YAML: `deploy:\n  key: |\n${key
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`,
});

/** A key as people paste it: each layout the guard must see through, by name (base64 for a PEM only). */
export function layouts(key: string): Record<string, string> {
  const lines = key.trimEnd().split("\n");
  const prefixed = (marker: string) => `${lines.map((l) => `${marker}${l}`).join("\n")}\n`;
  return {
    "one line with spaces": `KEY="${lines.join(" ")}"\n`,
    "one line with \\n escapes": `KEY="${lines.join("\\n")}\\n"\n`,
    "commented with # ": prefixed("# "),
    "commented with // ": prefixed("// "),
    "commented with ; ": prefixed("; "),
    "quoted in Markdown": prefixed("> "),
    "lines ending <br>": `<p>${lines.join("<br>\n")}</p>\n`,
    "a Jupyter array of lines": `{\n "cells": [{\n   "source": [\n${lines.map((l) => `    ${JSON.stringify(`${l}\n`)}`).join(",\n")}\n   ]\n  }]\n}\n`,
    ...(key.startsWith("-----BEGIN") ? { "a PEM in base64 (base64 -w 76)": wrapBase64(key, 76) } : {}),
  };
}
