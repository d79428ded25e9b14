/**
 * A path or a name from outside as a terminal may show it: C0 and C1 control characters (ESC, BEL,
 * a line break) written `\x1b`, never raw, so a directory's name cannot move the cursor, recolour
 * the screen or forge a line.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const showText = (text: string): string => text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

/** True when `text` holds a character showText would escape. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const hasControl = (text: string): boolean => /[\x00-\x1f\x7f-\x9f]/.test(text);
