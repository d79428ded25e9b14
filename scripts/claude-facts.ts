/**
 * Reads, off an installed Claude Code, the facts iclaude is built to (issue 10): the token URL and
 * client id, the refresh grant's headers, the lock options, the storage-write lock, the storage dir
 * and Keychain naming, the failure sentences and the setup-token wording. The npm package ships a
 * Bun-compiled binary whose JavaScript is stored as text; the text runs are searched for each fact.
 *
 *   bun scripts/claude-facts.ts [path to claude]   (default: the devDependency's binary)
 *
 * A fact not found prints as "NOT FOUND": that is where a new version needs reading by hand.
 */
import { resolve } from "node:path";

const bin = resolve(process.argv[2] ?? "node_modules/@anthropic-ai/claude-code/bin/claude.exe");

/** The binary's text: runs of at least 8 printable bytes (UTF-8 included), one per line, as `strings -n 8` gives them. */
function textRuns(bytes: Uint8Array): string {
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? (bytes[i] ?? 0) : 0;
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09 || b >= 0x80;
    if (printable) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= 8) {
      out.set(bytes.subarray(start, i), length);
      length += i - start;
      out[length++] = 0x0a;
    }
    start = -1;
  }
  // Bun keeps most string literals as Latin-1 (the "·" of the failure sentences is one byte).
  return out.subarray(0, length).toString("latin1");
}

const version = Bun.spawnSync([bin, "--version"], { stdout: "pipe", stderr: "ignore" }).stdout.toString().trim();
const text = textRuns(new Uint8Array(await Bun.file(bin).arrayBuffer()));

const first = (pattern: RegExp): string => pattern.exec(text)?.slice(1).join(" / ") ?? "NOT FOUND";
const all = (pattern: RegExp): string[] => [...new Set([...text.matchAll(pattern)].map((m) => m[0].replace(/\\xB7/g, "\u00b7")))];
const present = (needle: string): string => (text.includes(needle) ? "yes" : "NOT FOUND");

const escapeDollars = (name: string): string => name.replace(/\$/g, "\\$");

/** The value the minified constant `name` is given last before `index` (minified names repeat across modules). */
function constantBefore(name: string, index: number, pattern = "(\\d+)"): string {
  const window = text.slice(Math.max(0, index - 50_000), index);
  return [...window.matchAll(new RegExp(`[,\\s;]${escapeDollars(name)}=${pattern}`, "g"))].at(-1)?.[1] ?? "NOT FOUND";
}

/** The line length past which Claude Code stops using `security -i`. */
function interactiveLineLimit(): string {
  const match = /\.length<=(\w+)\?await \w+\("security",\["-i"\]/.exec(text);
  if (!match?.[1]) return "NOT FOUND (no `security -i` writer in this build; the macOS build has it)";
  return constantBefore(match[1], match.index);
}

/** axios's version, as it puts it in its User-Agent. */
function axiosUserAgent(): string {
  const literal = /"(axios\/[\d.]+)"/.exec(text)?.[1];
  if (literal) return literal;
  const match = /"axios\/"\+(\w+)/.exec(text);
  const version = match?.[1] ? new RegExp(`[,\\s;]${escapeDollars(match[1])}="(\\d+\\.\\d+\\.\\d+)"`).exec(text)?.[1] : undefined;
  return version ? `axios/${version}` : "NOT FOUND";
}

/** The refresh lock's file and options; the file's name is a literal (2.1.332) or a constant (2.1.337). */
function refreshLock(): string {
  const match = /lockfilePath:[\w.$]+\(\w+,(?:"([^"]+)"|([\w$]+))\),realpath:!1,stale:([\de]+)(?:,update:(\d+))?/.exec(text);
  if (!match) return "NOT FOUND";
  const [, literal, name, stale, update] = match;
  // The constant sits in another module, far from its use: any definition of the name with this value.
  const file = literal ?? (name && new RegExp(`[,\\s;]${escapeDollars(name)}="\\.oauth_refresh\\.lock"`).test(text) ? ".oauth_refresh.lock" : "NOT FOUND");
  return file === ".oauth_refresh.lock" ? [file, stale, update].filter(Boolean).join(" / ") : "NOT FOUND";
}

const facts: [string, string | string[]][] = [
  ["version", version || "NOT FOUND"],
  ["token URL", first(/TOKEN_URL:"(https:[^"]+)"/)],
  ["client id", first(/MANUAL_REDIRECT_URL:"[^"]+",CLIENT_ID:"([0-9a-f-]{36})"/)],
  ["client id env", present("process.env.CLAUDE_CODE_OAUTH_CLIENT_ID")],
  ["refresh body", first(/\{grant_type:"refresh_token",refresh_token:\w+,client_id:([^,]+),scope:([^}]+)\}/)],
  ["refresh headers", first(/post\(\w+\(\)\.TOKEN_URL,\w+,\{headers:(\{[^}]*\})/)],
  ["axios User-Agent", axiosUserAgent()],
  ["refresh lock (stale / update; no update: stale/2)", refreshLock()],
  ["refresh lock owner record", present(".oauth_refresh.lock.owner")],
  ["legacy lock", first(/`\$\{await [\w.]+\(\w+\)\.catch\(\(\)=>\w+\)\}(\.lock)`/)],
  ["storage-write lock", first(/(\.storage-write)"[\s\S]{0,600}?realpath:!1,retries:(\{[^}]+\}),stale:(\d+)/)],
  ["storage dir env", first(/process\.env\.(CLAUDE_SECURESTORAGE_CONFIG_DIR)[^;]{0,80}normalize\("NFC"\)/)],
  ["keychain account", first(/=(\/\^\[a-zA-Z0-9\._-\]\+\$\/);(?:function \w+\(\)\{let \w+;try\{\w+=process\.env\.USER|\w+=\{cache)/)],
  ["keychain fallback account", present('"claude-code-user"')],
  ["security -i line limit", interactiveLineLimit()],
  ["keeps refresh_token_expires_in", present("refresh_token_expires_in")],
  ["invalid_scope fallback", present("tengu_oauth_refresh_invalid_scope_fallback")],
  ["blanks on invalid_grant", first(/(refreshToken:"",accessToken:"",expiresAt:0[^}]*)\}/)],
  [
    "failure sentences",
    all(
      /Failed to authenticate[:.] [^"`|\n\\$]{8,160}|(?:Not logged in|Login expired|Login reached its time limit|OAuth token revoked) (?:\u00b7|\\xB7) Please run \/login/g,
    ),
  ],
  [
    "setup-token wording",
    all(/Long-lived authentication token created[^"\n]*|Your OAuth token \(valid for|You can revoke it later at |Store this token securely[^"\n]*/g),
  ],
];

for (const [name, value] of facts) {
  if (Array.isArray(value)) {
    console.log(`${name}:`);
    for (const line of value.length ? value : ["NOT FOUND"]) console.log(`  ${line}`);
  } else console.log(`${name}: ${value}`);
}
