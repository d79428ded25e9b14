import { fakeBase64Lines, fakeBody, BASE64 } from "./fake.ts";
import { entropy, isPlaceholder, type BlockRule } from "./shape.ts";

/**
 * A key is a header, a body that looks like a key, and (for PEM and SSH2) an
 * end: secretlint-rule-privatekey's lesson. A header alone (in docs, in a
 * scanner's own source) or a body of `REPLACE_WITH_…` is not a key.
 *
 * Body lines are base64 once quotes, commas, `+` and `\n` escapes are taken
 * off (a key pasted into code or JSON); `Name: value` lines are headers (PEM's
 * Proc-Type, SSH2's Comment, PGP's Version). The shortest real body is an
 * Ed25519 PKCS#8 key, 64 characters; random base64 that long never fell below
 * 4.6 bits per character in 100,000 draws, DER with its fixed prefix scores
 * about 5.3, so 4.0 keeps every key and rejects `AAAA…` and repeated text.
 */
const MIN_BODY = 64;
const MIN_KEY_ENTROPY = 4.0;
/** A PuTTY Ed25519 private part: 4 + 32 bytes, 48 characters. */
const MIN_PPK_BODY = 40;

const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*: /;
const BEGIN = /-{4,5} ?BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;
const END = /-{4,5} ?END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;

/** The base64 of a key's body, or null when a line is neither base64 nor a header. */
function keyBody(text: string): string | null {
  let body = "";
  let continued = false;
  for (const raw of text.split(/\\r\\n|\\n|\r?\n/)) {
    const line = raw.trim().replace(/^["'`]/, "").replace(/["'`]\s*[,+;]?$|\s+\+$|\\$/, "");
    const header: boolean = continued || HEADER_LINE.test(raw.trim());
    continued = header && raw.trimEnd().endsWith("\\");
    if (header || line === "") continue;
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) return null;
    body += line;
  }
  return body;
}

const looksLikeKey = (body: string | null, min: number): boolean =>
  body !== null && body.length >= min && entropy(body) >= MIN_KEY_ENTROPY && !isPlaceholder(body, MIN_KEY_ENTROPY);

const pem = (kind: string, lines: string[]) => `-----BEGIN ${kind}PRIVATE KEY-----\n${lines.join("\n")}\n-----END ${kind}PRIVATE KEY-----`;
const ssh2 = (lines: string[]) => `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key-20260101"\n${lines.join("\n")}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----`;

export const PRIVATE_KEY_RULES: readonly BlockRule[] = [
  {
    kind: "block",
    id: "private-key",
    label: "private key",
    keywords: ["PRIVATE KEY"],
    find(line, fromLine) {
      const begin = BEGIN.exec(line);
      if (!begin) return null;
      const after = fromLine.slice(fromLine.indexOf(begin[0]) + begin[0].length);
      const end = END.exec(after);
      return end && looksLikeKey(keyBody(after.slice(0, end.index)), MIN_BODY) ? begin[0] : null;
    },
    samples: () => ({
      match: [
        pem("RSA ", fakeBase64Lines(4, 1)),
        pem("", fakeBase64Lines(1, 2)),
        pem("OPENSSH ", fakeBase64Lines(6, 3, 70)),
        pem("ENCRYPTED ", fakeBase64Lines(3, 4)),
        `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${fakeBody(32, 5, "0123456789ABCDEF")}\n\n${fakeBase64Lines(3, 6).join("\n")}\n-----END RSA PRIVATE KEY-----`,
        `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${fakeBase64Lines(3, 7).join("\n")}\n=${fakeBody(4, 8, BASE64)}\n-----END PGP PRIVATE KEY BLOCK-----`,
        `{"private_key": "${pem("", fakeBase64Lines(2, 9)).replaceAll("\n", "\\n")}\\n"}`,
        `const key = "-----BEGIN PRIVATE KEY-----\\n" +\n  "${fakeBase64Lines(1, 10)[0]}\\n" +\n  "-----END PRIVATE KEY-----";`,
        ssh2(fakeBase64Lines(4, 11, 70)),
      ],
      noMatch: [
        "Keys start with -----BEGIN RSA PRIVATE KEY----- and end with a footer.",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        pem("RSA ", ["REPLACE_WITH_YOUR_PRIVATE_KEY_CONTENTS_ON_THESE_LINES_PLEASE_DO_NOT_COMMIT"]),
        pem("", ["<your key here>", "..."]),
        pem("", ["A".repeat(64), "A".repeat(64)]),
        pem("", ["MIIEowIBAAKCAQEA".repeat(6)]),
        pem("", [fakeBody(40, 12, BASE64)]),
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"none\"\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
      ],
    }),
  },
  {
    kind: "block",
    id: "putty-private-key",
    label: "PuTTY private key",
    keywords: ["PuTTY-User-Key-File-"],
    find(line, fromLine) {
      const head = /PuTTY-User-Key-File-\d+: ?[\w@.-]+/.exec(line);
      if (!head) return null;
      const lines = fromLine.split(/\r?\n/);
      const at = lines.findIndex((l) => /^Private-Lines: *\d+/.test(l));
      if (at === -1) return null;
      const count = Number(/\d+/.exec(lines[at] as string)?.[0]);
      return looksLikeKey(keyBody(lines.slice(at + 1, at + 1 + count).join("\n")), MIN_PPK_BODY) ? head[0] : null;
    },
    samples: () => {
      const ppk = (priv: string) =>
        `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20260101\nPublic-Lines: 2\n${fakeBase64Lines(2, 13).join("\n")}\nPrivate-Lines: 1\n${priv}\nPrivate-MAC: ${fakeBody(64, 14, "0123456789abcdef")}`;
      return {
        match: [ppk(fakeBody(48, 15, BASE64)), ppk(fakeBody(48, 16, BASE64)).replace("-3: ssh-ed25519", "-2: ssh-rsa")],
        noMatch: [ppk("REPLACE_WITH_THE_PRIVATE_LINES"), ppk(""), "PuTTY-User-Key-File-3: ssh-ed25519 is the first line of a .ppk file"],
      };
    },
  },
];
