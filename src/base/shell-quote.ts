/** One word for sh-family shells: single quotes, each `'` closed, escaped and reopened. */
export const quotePosix = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
/** One word for fish: inside single quotes only `\` and `'` are special. */
export const quoteFish = (text: string): string => `'${text.replace(/[\\']/g, "\\$&")}'`;
