import { BASE64, fakeBase64Lines, fakeBody } from "./fake.ts";
import { bareLines, keyBody, leadMarker } from "./key-body.ts";
import { hasKeyStructure } from "./key-structure.ts";
import { type BlockRule, entropy, isPlaceholder } from "./shape.ts";

/**
 * A key is a header, a body that looks like a key, and (for PEM and SSH2) an
 * end: secretlint-rule-privatekey's lesson. A header alone (in docs, in a
 * scanner's own source) or a body of `REPLACE_WITH_…` is not a key. How the
 * body may be laid out is key-body.ts's.
 *
 * A body that decodes to a key's structure is a key (key-structure.ts).
 * Otherwise (an encrypted body is random bytes) it must read as random: the
 * shortest real body is an Ed25519 PKCS#8 key, 64 characters; random base64
 * that long never fell below 4.6 bits per character in 100,000 draws, so 4.0
 * keeps every key and rejects `AAAA…` and repeated text.
 */
const MIN_BODY = 64;
const MIN_KEY_ENTROPY = 4.0;
/** A PuTTY Ed25519 private part: 4 + 32 bytes, 48 characters. */
const MIN_PPK_BODY = 40;

const BEGIN = /-{4,5} ?BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;
const END = /-{4,5} ?END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;

const looksLikeKey = (body: string | null, min: number): boolean =>
  body !== null && body.length >= min && (hasKeyStructure(body) || (entropy(body) >= MIN_KEY_ENTROPY && !isPlaceholder(body, MIN_KEY_ENTROPY)));

const pem = (kind: string, lines: string[]) => `-----BEGIN ${kind}PRIVATE KEY-----\n${lines.join("\n")}\n-----END ${kind}PRIVATE KEY-----`;
const ssh2 = (lines: string[]) =>
  `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key-20260101"\n${lines.join("\n")}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----`;

export const PRIVATE_KEY_RULES: readonly BlockRule[] = [
  {
    kind: "block",
    id: "private-key",
    label: "private key",
    keywords: ["PRIVATE KEY"],
    find(line, fromLine) {
      const begin = BEGIN.exec(line);
      if (!begin) return null;
      const at = fromLine.indexOf(begin[0]);
      const after = fromLine.slice(at + begin[0].length);
      const end = END.exec(after);
      return end && looksLikeKey(keyBody(after.slice(0, end.index), leadMarker(fromLine.slice(0, at))), MIN_BODY) ? begin[0] : null;
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
        '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "none"\n---- END SSH2 ENCRYPTED PRIVATE KEY ----',
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
      const lead = leadMarker(fromLine.slice(0, fromLine.indexOf(head[0])));
      // One word per line: the same words whether the file was pasted line by line or flattened onto one.
      const words = bareLines(fromLine, lead).join("\n").split(/\s+/);
      const at = words.indexOf("Private-Lines:");
      const count = Number(words[at + 1]);
      if (at === -1 || !(count > 0)) return null;
      return looksLikeKey(keyBody(words.slice(at + 2, at + 2 + count).join("\n")), MIN_PPK_BODY) ? head[0] : null;
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
