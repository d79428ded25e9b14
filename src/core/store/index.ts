import type { Config } from "../config.ts";
import { parseCredentials, type CredentialsFile } from "../credentials.ts";
import { probeCredentialsWrite, readTextFile, writeCredentialsFile } from "./file.ts";
import { checkKeychainWritable, claudeKeychainService, KeychainLockedError, keychainAccount, readKeychain, writeKeychain, type KeychainItem } from "./keychain.ts";

/** Where Claude Code keeps its login: the file, or the macOS Keychain item. */
export interface CredentialStore {
  kind: "file" | "keychain";
  /** A path or a Keychain service name, for messages and `status --json`. */
  location: string;
  readText(): string | null;
  /** Replaces the content, keeping the previous one as a backup. */
  writeText(text: string): void;
  /** Fails, before a refresh token is spent and with nothing changed, where writeText could not succeed. */
  probeWrite(): void;
}

export interface StoredCredentials {
  store: CredentialStore;
  /** Null when there is no login stored. */
  text: string | null;
  file: CredentialsFile | null;
}

export function fileStore(path: string): CredentialStore {
  return {
    kind: "file",
    location: path,
    readText: () => readTextFile(path),
    writeText: (text) => writeCredentialsFile(path, text),
    probeWrite: () => probeCredentialsWrite(path),
  };
}

export function keychainStore(item: KeychainItem): CredentialStore {
  const backup = { ...item, service: `${item.service}-iclaude-backup` };
  return {
    kind: "keychain",
    location: item.service,
    readText: () => readKeychain(item),
    writeText(text) {
      try {
        const previous = readKeychain(item);
        if (previous !== null) writeKeychain(backup, previous);
      } catch {
        // The refresh token behind `text` is already spent: a backup that fails must not cost the new pair.
      }
      writeKeychain(item, text);
    },
    // The new pair is about as long as the old one; a margin covers longer tokens.
    probeWrite: () => checkKeychainWritable(item, (readKeychain(item)?.length ?? 0) + 256),
  };
}

export function claudeKeychainItem(config: Config): KeychainItem {
  return {
    bin: config.securityBin,
    service: claudeKeychainService(config.keychainHashInput),
    account: keychainAccount(),
  };
}

/** `auto`: the Keychain on macOS when Claude Code's item exists there, else the file. */
export function openStore(config: Config, platform: NodeJS.Platform = process.platform): CredentialStore {
  if (config.store === "file") return fileStore(config.credentialsPath);
  const keychain = keychainStore(claudeKeychainItem(config));
  if (config.store === "keychain") return keychain;
  if (platform !== "darwin") return fileStore(config.credentialsPath);
  try {
    return keychain.readText() === null ? fileStore(config.credentialsPath) : keychain;
  } catch (error) {
    // A locked Keychain may hold the login: say so rather than judge the file.
    if (error instanceof KeychainLockedError) throw error;
    return fileStore(config.credentialsPath);
  }
}

/** The one way credentials are read: text and parsed file, with clear errors for bad content. */
export function readCredentials(store: CredentialStore): StoredCredentials {
  const text = store.readText();
  if (text === null) return { store, text, file: null };
  const where = store.kind === "file" ? store.location : `the Keychain item "${store.location}"`;
  return { store, text, file: parseCredentials(text, where) };
}
