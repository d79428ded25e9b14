/**
 * Bodies for the rules' samples, drawn at run time: no committed file holds a
 * real-looking token, and a seed makes a failing sample the same every run.
 */
export const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function fakeBody(length: number, seed: number, alphabet = URL_SAFE): string {
  let state = seed * 2654435761 + 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out += alphabet[Math.floor((state / 2147483648) * alphabet.length)];
  }
  return out;
}

/** `n` lines of `width` base64 characters: the body of a PEM block. */
export const fakeBase64Lines = (n: number, seed: number, width = 64): string[] => Array.from({ length: n }, (_, i) => fakeBody(width, seed + i, BASE64));
