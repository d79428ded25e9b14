import { addedFrom, addedWhole, wrappedAround } from "./added-text.ts";
import { addedLines, candidateLines, type Hunk, hunkAt, indexHunks, lineText, NL, needlesFor, PLUS } from "./diff-index.ts";
import { BASE64_LINE } from "./rules/base64.ts";
import { blockHits, fileRuleOf, INLINE_ALLOW, type LineHit, mentionsFileKey, STATIC_KEYWORDS, tokenHits } from "./rules/index.ts";

export interface Finding extends LineHit {
  /** What holds it: a staged file's content, a staged path itself, or the commit message. */
  source: "content" | "path" | "message";
  /** The staged path (for the message: the words standing for it); masked once the guard reports it. */
  path: string;
  /** Line in the file or message; null for a finding about the whole path. */
  line: number | null;
}

export interface ScanOptions {
  /** The user's own live tokens, matched by exact value. */
  ownTokens: readonly string[];
  allow: readonly RegExp[];
  /** A staged file's full content, for the rules that judge a whole file; null when larger than `limit` bytes. */
  readBlob(path: string, limit: number): Promise<string | null>;
}

/** A private key block is a few KB; its end is looked for no further. */
const MAX_KEY_BYTES = 64 * 1024;
/**
 * A saved login is a few KB of JSON, but one padded (a long field, pages of
 * spaces) is no less a login; past this a file naming its keys is not read whole.
 */
const MAX_LOGIN_FILE_BYTES = 64 * 1024 * 1024;

/** Shorter values would match by chance; a token is far longer. */
const usableOwnTokens = (tokens: readonly string[]): string[] => tokens.filter((t) => t.length >= 20);

/**
 * Every string that must be present for any rule to fire: the static
 * keywords, and the user's own tokens that hold none of them (most start
 * with `sk-ant-`, so are found already).
 */
export function keywords(ownTokens: readonly string[]): string[] {
  const unseen = usableOwnTokens(ownTokens).filter((t) => !STATIC_KEYWORDS.some((k) => t.includes(k)));
  return [...STATIC_KEYWORDS, ...unseen];
}

const isAllowed = (hit: LineHit, line: string, path: string, allow: readonly RegExp[]): boolean =>
  hit.allowable && (line.includes(INLINE_ALLOW) || allow.some((re) => re.test(line) || re.test(path)));

/**
 * Findings in the added lines of a staged diff (`git diff --cached -U0`). The
 * diff stays bytes: keywords are found with memmem-speed searches and only
 * the lines holding one are decoded.
 */
export async function scanDiff(diff: Buffer, options: ScanOptions): Promise<Finding[]> {
  // The prefilter cleared every file (a commit without a keyword): nothing to build needles for.
  if (diff.length === 0) return [];
  const ownTokens = usableOwnTokens(options.ownTokens);
  const needles = needlesFor(diff, keywords(ownTokens));
  const hunks = indexHunks(diff);
  const starts = [...new Set([...candidateLines(diff, needles), ...base64Starts(diff, hunks)])].sort((a, b) => a - b);
  const findings: Finding[] = [];
  const judgedFiles = new Set<string>();
  const counted = new Map<Hunk, { at: number; line: number }>();
  // A wrapped base64 block is decoded once, from its first line holding a needle or starting a hunk.
  let decodedUntil = -1;
  for (const start of starts) {
    const hunk = hunkAt(hunks, start);
    if (!hunk || diff[start] !== PLUS) continue;
    const eol = diff.indexOf(NL, start);
    const next = eol === -1 ? diff.length : eol + 1;
    const line = lineText(diff, start + 1, eol === -1 ? diff.length : eol, needles);
    const seen = counted.get(hunk) ?? { at: hunk.body, line: hunk.newStart - 1 };
    const lineNo = seen.line + addedLines(diff, seen.at, start);
    counted.set(hunk, { at: next, line: lineNo });
    const around = (): string => {
      const block = start < decodedUntil ? { text: "", end: decodedUntil } : wrappedAround(diff, start, hunk, MAX_KEY_BYTES);
      decodedUntil = block.end;
      return block.text;
    };
    const hits = [...tokenHits(line, ownTokens, around), ...blockHits(line, () => addedFrom(diff, start, hunk, MAX_KEY_BYTES))];
    const fileHit = await credentialFileHit(line, hunk.path, judgedFiles, options);
    if (fileHit) hits.push(fileHit);
    for (const hit of hits) {
      if (!isAllowed(hit, line, hunk.path, options.allow)) findings.push({ ...hit, source: "content", path: hunk.path, line: lineNo });
    }
  }
  return findings;
}

/** Hunks whose first added line is all base64 (a file written by `base64`): their block is decoded even without a needle. */
function base64Starts(diff: Buffer, hunks: readonly Hunk[]): number[] {
  return hunks
    .filter((h) => diff[h.body] === PLUS && BASE64_LINE.test(diff.toString("latin1", h.body + 1, Math.min(h.end, h.body + 256)).split("\n", 1)[0] as string))
    .map((h) => h.body);
}

/** A saved login is judged once, on the first added line naming one of its keys, from the file's whole staged content. */
async function credentialFileHit(line: string, path: string, judged: Set<string>, options: ScanOptions): Promise<LineHit | null> {
  if (judged.has(path) || !mentionsFileKey(line)) return null;
  judged.add(path);
  const content = await options.readBlob(path, MAX_LOGIN_FILE_BYTES);
  const rule = content === null ? null : fileRuleOf(content);
  return rule ? { id: rule.id, label: rule.label, shown: "", allowable: true } : null;
}

/**
 * Findings in a text that is added whole: a commit message. `where` stands
 * for the path in the output and in `[guard] allow`.
 */
export async function scanText(text: string, where: string, options: Pick<ScanOptions, "ownTokens" | "allow">): Promise<Finding[]> {
  const findings = await scanDiff(addedWhole(where, Buffer.from(text)), { ...options, readBlob: async () => null });
  return findings.map((f) => ({ ...f, source: "message" }));
}
