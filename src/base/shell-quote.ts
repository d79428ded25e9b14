/** One word for sh-family shells: single quotes, each `'` closed, escaped and reopened. */
export const quotePosix = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
/** One word for fish: inside single quotes only `\` and `'` are special. */
export const quoteFish = (text: string): string => `'${text.replace(/[\\']/g, "\\$&")}'`;
/**
 * One word that sh, bash, zsh and fish all read the same: single quotes, with each `'` and `\` put
 * outside them, backslash-escaped. For a line every shell shows alike (the shared notice).
 */
export const quoteAnyShell = (text: string): string => `'${text.replace(/['\\]/g, "'\\$&'")}'`;
