import { type Config, keychainPossible } from "../../base/config.ts";
import { readFileBytes } from "../../base/fs.ts";
import { CLAUDE } from "../claude.ts";
import { type CredentialsFile, parseCredentials } from "../format.ts";
import { type ReservedWrite, reserveCredentialsWrite } from "./file.ts";
import { checkKeychainWritable, type KeychainItem, KeychainLockedError, readKeychain, writeKeychain } from "./keychain.ts";

export type { ReservedWrite };

/** Where Claude Code keeps its login: the file, or the macOS Keychain item. */
export interface CredentialStore {
  kind: "file" | "keychain";
  /** A path or a Keychain service name, for messages and `status --json`. */
  location: string;
  /** The content as stored, byte for byte; null when there is none. */
  readBytes(): Buffer | null;
  /**
   * Fails, before a refresh token is spent and with nothing changed, where a
   * write of up to `size` bytes could not succeed; else holds what that write
   * needs until it is committed (replacing the content, the previous one kept
   * as a backup) or released. `current`: the content as just read under Claude Code's locks (not
   * read again).
   */
  reserveWrite(size: number, current?: Buffer | null): ReservedWrite;
}

export interface StoredCredentials {
  store: CredentialStore;
  /** Null when there is no login stored. */
  text: string | null;
  /** The content byte for byte: a rewrite changes only what it must. */
  bytes: Buffer | null;
  /** The content parsed, from the file or a Keychain item alike. */
  parsed: CredentialsFile | null;
}

export function fileStore(path: string): CredentialStore {
  return {
    kind: "file",
    location: path,
    readBytes: () => readFileBytes(path),
    reserveWrite: (size, current) => reserveCredentialsWrite(path, size, current),
  };
}

export function keychainStore(item: KeychainItem): CredentialStore {
  const backup = { ...item, service: `${item.service}-iclaude-backup` };
  return {
    kind: "keychain",
    location: item.service,
    readBytes: () => {
      const text = readKeychain(item);
      return text === null ? null : Buffer.from(text, "utf8");
    },
    // The Keychain has no disk to fill; what can be foreseen is the line limit of `security -i`.
    // The new pair is about as long as the old one; a margin covers longer tokens.
    reserveWrite: (_size, current) => {
      const text = (known: Buffer | null | undefined): string | null => (known !== undefined ? (known?.toString("utf8") ?? null) : readKeychain(item));
      checkKeychainWritable(item, (text(current)?.length ?? 0) + 256);
      return {
        commit(bytes, known) {
          try {
            const previous = text(known);
            if (previous !== null) writeKeychain(backup, previous);
          } catch {
            // The refresh token behind `bytes` is already spent: a backup that fails must not cost the new pair.
          }
          writeKeychain(item, Buffer.from(bytes).toString("utf8"));
        },
        release: () => {},
      };
    },
  };
}

export function claudeKeychainItem(config: Config): KeychainItem {
  return {
    bin: config.securityBin,
    service: CLAUDE.keychainService(config.keychainHashInput),
    account: CLAUDE.keychainAccount(),
  };
}

/** A store whose next read is one already done: the probe's bytes serve the read after it, so `security` runs once. */
function primed(store: CredentialStore, bytes: Buffer): CredentialStore {
  let probed: Buffer | null = bytes;
  return {
    ...store,
    readBytes: () => {
      const first = probed;
      probed = null;
      return first ?? store.readBytes();
    },
  };
}

/** `auto`: the Keychain on macOS when Claude Code's item exists there, else the file. */
export function openStore(config: Config, platform: NodeJS.Platform = process.platform): CredentialStore {
  if (!keychainPossible(config, platform)) return fileStore(config.credentialsPath);
  const keychain = keychainStore(claudeKeychainItem(config));
  if (config.store === "keychain") return keychain;
  try {
    const bytes = keychain.readBytes();
    return bytes === null ? fileStore(config.credentialsPath) : primed(keychain, bytes);
  } catch (error) {
    // A locked Keychain may hold the login: say so rather than judge the file.
    if (error instanceof KeychainLockedError) throw error;
    return fileStore(config.credentialsPath);
  }
}

/** The one way credentials are read: text and parsed file, with clear errors for bad content. */
export function readCredentials(store: CredentialStore): StoredCredentials {
  const bytes = store.readBytes();
  if (bytes === null) return { store, text: null, bytes, parsed: null };
  const text = bytes.toString("utf8");
  const where = store.kind === "file" ? store.location : `the Keychain item "${store.location}"`;
  return { store, text, bytes, parsed: parseCredentials(text, where) };
}
