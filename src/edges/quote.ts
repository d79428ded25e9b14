/** How a word is written for each shell iclaude writes for; the shell table (shells.ts) names which is whose. */

/** Single quotes, each `'` closed, escaped and reopened: what sh, bash and zsh read alike. */
export const quotePosix = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
/** Inside fish's single quotes only `\` and `'` are special. */
export const quoteFish = (text: string): string => `'${text.replace(/[\\']/g, "\\$&")}'`;
/**
 * One word that sh, bash, zsh and fish all read the same: single quotes, with each `'` and `\` put
 * outside them, backslash-escaped. For a line every shell shows alike (the shared notice, a fix said
 * to whoever reads it).
 */
export const quoteAnyShell = (text: string): string => `'${text.replace(/['\\]/g, "'\\$&'")}'`;
