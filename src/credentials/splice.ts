/**
 * Rewrites one object inside a JSON file by editing its bytes, not by
 * serialising the whole file again: every byte iclaude does not change —
 * unknown keys, their nesting however deep, bytes that are not UTF-8, the
 * file's own spacing — stays exactly as it was. JSON's structure is ASCII and
 * no byte of a multi-byte or broken UTF-8 sequence is, so scanning bytes is safe.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export class SpliceError extends Error {
  override readonly name = "SpliceError";
}

interface Member {
  key: string;
  /** From the key's opening quote to the end of the value. */
  start: number;
  valueStart: number;
  valueEnd: number;
}

interface ObjectSpan {
  start: number;
  /** The index of the closing brace. */
  close: number;
  members: Member[];
}

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

function skipSpace(bytes: Uint8Array, i: number): number {
  while (isSpace(bytes[i])) i++;
  return i;
}

function stringEnd(bytes: Uint8Array, i: number): number {
  if (bytes[i] !== QUOTE) throw new SpliceError(`a string was expected at byte ${i}`);
  for (i++; i < bytes.length; i++) {
    if (bytes[i] === BACKSLASH) i++;
    else if (bytes[i] === QUOTE) return i + 1;
  }
  throw new SpliceError("a string does not end");
}

/** The end of the value at `i`, without recursion: a nesting 50,000 deep costs a counter, not a stack. */
function valueEnd(bytes: Uint8Array, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    while (i < bytes.length && !isSpace(bytes[i]) && bytes[i] !== COMMA && bytes[i] !== CLOSE_BRACE && bytes[i] !== CLOSE_BRACKET) i++;
    return i;
  }
  let depth = 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) i = stringEnd(bytes, i) - 1;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  throw new SpliceError("an object or array does not end");
}

function objectAt(bytes: Uint8Array, start: number): ObjectSpan {
  if (bytes[start] !== OPEN_BRACE) throw new SpliceError(`an object was expected at byte ${start}`);
  const members: Member[] = [];
  let i = skipSpace(bytes, start + 1);
  if (bytes[i] === CLOSE_BRACE) return { start, close: i, members };
  for (;;) {
    const keyEnd = stringEnd(bytes, i);
    const key: unknown = JSON.parse(Buffer.from(bytes.subarray(i, keyEnd)).toString("utf8"));
    const colon = skipSpace(bytes, keyEnd);
    if (bytes[colon] !== COLON) throw new SpliceError(`a colon was expected at byte ${colon}`);
    const valueStart = skipSpace(bytes, colon + 1);
    const end = valueEnd(bytes, valueStart);
    members.push({ key: String(key), start: i, valueStart, valueEnd: end });
    i = skipSpace(bytes, end);
    if (bytes[i] === CLOSE_BRACE) return { start, close: i, members };
    if (bytes[i] !== COMMA) throw new SpliceError(`a comma was expected at byte ${i}`);
    i = skipSpace(bytes, i + 1);
  }
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** `undefined` when the value cannot be serialised (a nesting too deep): then it is never compared equal. */
function serialised(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

const same = (a: unknown, b: unknown): boolean => Object.is(a, b) || (serialised(a) !== undefined && serialised(a) === serialised(b));

/** The edit that turns member `key`'s value from `before` into `after` (a new key is appended); null when unchanged. */
function editFor(object: ObjectSpan, key: string, before: unknown, after: unknown): Edit | null {
  if (same(before, after)) return null;
  const text = serialised(after);
  if (text === undefined) throw new SpliceError(`the new value of ${key} cannot be written`);
  // JSON.parse takes the last occurrence of a key, so that is the one replaced.
  const last = object.members.filter((m) => m.key === key).at(-1);
  if (last) return { start: last.valueStart, end: last.valueEnd, text };
  const separator = object.members.length ? "," : "";
  return { start: object.close, end: object.close, text: `${separator}${JSON.stringify(key)}:${text}` };
}

/**
 * `bytes` with the object under top-level key `name` turned from `before` into
 * `after`, member by member; members whose value did not change keep their
 * bytes. A key `after` drops (Claude Code's `loginEnded` under a new pair) is
 * the one case that rewrites that object whole; the rest of the file keeps its bytes.
 */
export function spliceObject(bytes: Uint8Array, name: string, before: Record<string, unknown>, after: Record<string, unknown>): Buffer {
  const top = objectAt(bytes, skipSpace(bytes, 0));
  const holder = top.members.filter((m) => m.key === name).at(-1);
  if (!holder) throw new SpliceError(`there is no ${name}`);
  if (Object.keys(before).some((key) => !(key in after))) {
    const text = serialised(after);
    if (text === undefined) throw new SpliceError(`the new value of ${name} cannot be written`);
    return Buffer.concat([bytes.subarray(0, holder.valueStart), Buffer.from(text, "utf8"), bytes.subarray(holder.valueEnd)]);
  }
  const object = objectAt(bytes, holder.valueStart);
  const edits = Object.keys(after)
    .flatMap((key) => editFor(object, key, before[key], after[key]) ?? [])
    .sort((a, b) => a.start - b.start);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const edit of edits) {
    pieces.push(bytes.subarray(at, edit.start), Buffer.from(edit.text, "utf8"));
    at = edit.end;
  }
  pieces.push(bytes.subarray(at));
  return Buffer.concat(pieces);
}
