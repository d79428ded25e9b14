/**
 * Whether a key's base64 body decodes to the structure a real key has. A real
 * key is never a placeholder, however its bytes read as text: an unencrypted
 * OpenSSH key starts `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE…`, whose run of `A`s
 * (zero lengths and flags) would otherwise look typed. Each check accepts a
 * body only when its lengths add up to the whole, which no hand-typed filler does.
 */

/** SSH wire format: uint32-length fields that fill `bytes` exactly, each non-empty, one at least a key part long. */
function sshFields(bytes: Uint8Array, from = 0): boolean {
  let at = from;
  let longest = 0;
  while (at + 4 <= bytes.length) {
    const length = ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (length <= 0 || at + 4 + length > bytes.length) return false;
    longest = Math.max(longest, length);
    at += 4 + length;
  }
  return at === bytes.length && longest >= 16;
}

const OPENSSH_MAGIC = "openssh-key-v1\0";

/** `openssh-key-v1\0`, then cipher, KDF, KDF options, a key count, the public keys and the private section. */
function isOpenSsh(bytes: Uint8Array): boolean {
  if (Buffer.from(bytes.subarray(0, OPENSSH_MAGIC.length)).toString("latin1") !== OPENSSH_MAGIC) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = OPENSSH_MAGIC.length;
  const skipString = (): boolean => {
    if (at + 4 > bytes.length) return false;
    at += 4 + view.getUint32(at);
    return at <= bytes.length;
  };
  if (!skipString() || !skipString() || !skipString() || at + 4 > bytes.length) return false;
  const keys = view.getUint32(at);
  at += 4;
  if (keys < 1 || keys > 16) return false;
  for (let i = 0; i <= keys; i++) if (!skipString()) return false;
  return at === bytes.length;
}

/** A DER SEQUENCE (PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8) whose length is the whole body. */
function isDerSequence(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x30 || bytes.length < 2) return false;
  const first = bytes[1] as number;
  if (first < 0x80) return 2 + first === bytes.length;
  const octets = first & 0x7f;
  if (octets < 1 || octets > 3) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return 2 + octets + length === bytes.length;
}

/** OpenPGP packets (RFC 4880 §4.2) that fill the body, the first a secret key (tag 5). */
function isPgpSecretKey(bytes: Uint8Array): boolean {
  let at = 0;
  let first = true;
  while (at < bytes.length) {
    const head = bytes[at] as number;
    if ((head & 0x80) === 0) return false;
    let tag: number;
    let length: number;
    if (head & 0x40) {
      tag = head & 0x3f;
      const o = bytes[at + 1] ?? 0;
      if (o < 192) [length, at] = [o, at + 2];
      else if (o < 224) [length, at] = [((o - 192) << 8) + (bytes[at + 2] ?? 0) + 192, at + 3];
      else if (o === 255 && at + 6 <= bytes.length) [length, at] = [new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at + 2), at + 6];
      else return false;
    } else {
      tag = (head >> 2) & 0x0f;
      const size = [1, 2, 4][head & 3];
      if (size === undefined) return false;
      length = 0;
      for (let i = 1; i <= size; i++) length = length * 256 + (bytes[at + i] ?? 0);
      at += 1 + size;
    }
    if (first && tag !== 5) return false;
    first = false;
    at += length;
  }
  return !first && at === bytes.length;
}

/** SSH.com's (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`) magic number, then its total length. */
const isSshCom = (bytes: Uint8Array): boolean =>
  bytes.length > 8 &&
  bytes[0] === 0x3f &&
  bytes[1] === 0x6f &&
  bytes[2] === 0xf9 &&
  bytes[3] === 0xeb &&
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4) === bytes.length;

/** Whether base64 `body` decodes to a private key's structure: OpenSSH, DER, OpenPGP, SSH.com or a PuTTY private blob. */
export function hasKeyStructure(body: string): boolean {
  const bytes = new Uint8Array(Buffer.from(body, "base64"));
  return isOpenSsh(bytes) || isDerSequence(bytes) || isPgpSecretKey(bytes) || isSshCom(bytes) || sshFields(bytes);
}
