/**
 * The base64 body of a key however a person pasted it: PEM lines; a string
 * with `\n` escapes (JSON, YAML, `.env`); code that joins quoted lines (`" +`,
 * a Jupyter array of `"…\n",` lines); lines commented out (`# `, `// `, `; `,
 * `-- `, `% `, ` * `) or quoted in Markdown (`> `); lines ending in `<br>`;
 * or the whole key flattened onto one line with spaces. Header lines
 * (`Proc-Type: …`, SSH2's `Comment: …`, PGP's `Version: …`) are left out.
 */

/** The markers a commented or quoted line starts with; the key's BEGIN line shows which one a paste uses. */
const MARKERS = /^\s*((?:(?:#+|\/\/+|;+|--|%+|>+|\*)[ \t]*)+)/;
const HEADER = /^[A-Za-z][A-Za-z0-9-]*:$/;
const BASE64_WORD = /^[A-Za-z0-9+/]+={0,2}$/;
/** PGP armor's checksum line, `=` and four characters: not part of the packets. */
const ARMOR_CRC = /^=[A-Za-z0-9+/]{4}$/;
const LINE_BREAK = /\\r\\n|\\n|\r?\n/;

/** The comment or quote marker that `prefix` (what precedes BEGIN on its line) starts with, or "". */
export const leadMarker = (prefix: string): string => MARKERS.exec(prefix)?.[1]?.trimEnd() ?? "";

/** One line without its marker, markup, string quotes and joining punctuation. */
function bareLine(raw: string, lead: string): string {
  let line = raw.trim();
  if (lead && line.startsWith(lead)) line = line.slice(lead.length).trim();
  return line
    .replace(/(?:<\/?[A-Za-z][^<>]*>\s*)+$/, "")
    .replace(/^(?:<[A-Za-z][^<>]*>)+/, "")
    .replace(/["'`]\s*[,;+)\]]*\s*\\?$|\s+\+$|\\$/, "")
    .replace(/^["'`]/, "")
    .trim();
}

/** The lines of `text` (split at `\n` escapes too), each bare. `lead` is the marker every line carries (see leadMarker). */
export const bareLines = (text: string, lead: string): string[] => text.split(LINE_BREAK).map((raw) => bareLine(raw, lead));

/** The base64 of a key's body, or null when something in it is neither base64 nor a header. */
export function keyBody(text: string, lead = ""): string | null {
  const lines = text.split(LINE_BREAK);
  const flat = lines.length === 1;
  let body = "";
  let continued = false;
  for (const raw of lines) {
    const words = bareLine(raw, lead)
      .split(/\s+/)
      .filter((w) => w !== "");
    const header: boolean = continued || (words[0] !== undefined && HEADER.test(words[0]));
    continued = header && raw.trimEnd().endsWith("\\");
    if (header && !flat) continue;
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      // Flattened, a header is its name and one word of value.
      if (HEADER.test(word)) i++;
      else if (ARMOR_CRC.test(word)) continue;
      else if (BASE64_WORD.test(word)) body += word;
      else return null;
    }
  }
  return body;
}
