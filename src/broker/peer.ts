import { dlopen, ptr } from "bun:ffi";

/** Who is at the other end of a unix socket, as the kernel reports it. */
export interface Peer {
  /** Null where the OS does not report it (macOS's getpeereid has no pid). */
  pid: number | null;
  uid: number;
  gid: number;
}

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

type Lookup = (fd: number) => Peer | null;

/** Linux: getsockopt(SO_PEERCRED) fills `struct ucred { pid_t pid; uid_t uid; gid_t gid; }`. */
function linuxLookup(): Lookup {
  const libc = dlopen("libc.so.6", { getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" } });
  return (fd) => {
    const cred = new Int32Array(3);
    const size = new Uint32Array([cred.byteLength]);
    if (libc.symbols.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ptr(cred), ptr(size)) !== 0) return null;
    return { pid: cred[0] ?? 0, uid: (cred[1] ?? 0) >>> 0, gid: (cred[2] ?? 0) >>> 0 };
  };
}

/** macOS and the BSDs: getpeereid(fd, &uid, &gid). */
function bsdLookup(): Lookup {
  const libc = dlopen(process.platform === "darwin" ? "/usr/lib/libSystem.B.dylib" : "libc.so", {
    getpeereid: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  });
  return (fd) => {
    const uid = new Uint32Array(1);
    const gid = new Uint32Array(1);
    if (libc.symbols.getpeereid(fd, ptr(uid), ptr(gid)) !== 0) return null;
    return { pid: null, uid: uid[0] ?? 0, gid: gid[0] ?? 0 };
  };
}

let lookup: Lookup | null | undefined;

/** The peer of a connected unix socket; null when the OS cannot tell (such a peer is refused). */
export function peerOf(fd: number | undefined): Peer | null {
  if (fd === undefined || fd < 0) return null;
  if (lookup === undefined) {
    try {
      lookup = process.platform === "linux" ? linuxLookup() : bsdLookup();
    } catch {
      lookup = null;
    }
  }
  return lookup?.(fd) ?? null;
}

/** The broker's own user, and root (which can read the credentials anyway), may ask; nobody else, and no peer the OS cannot name. */
export const peerAllowed = (peer: Peer | null, self: number = process.getuid?.() ?? -1): boolean => peer !== null && (peer.uid === self || peer.uid === 0);

export const describePeer = (peer: Peer | null): string => (peer ? `pid ${peer.pid ?? "?"} uid ${peer.uid} gid ${peer.gid}` : "an unknown peer");
