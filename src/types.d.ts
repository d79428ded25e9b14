/** Replaced at compile time by scripts/compile.ts. */
declare const ICLAUDE_VERSION: string | undefined;
declare const ICLAUDE_TESTED_WITH: string[] | undefined;

/** Shell templates, embedded as text (`with { type: "text" }`). */
declare module "*.zsh" {
  const text: string;
  export default text;
}
declare module "*.bash" {
  const text: string;
  export default text;
}
declare module "*.fish" {
  const text: string;
  export default text;
}

/** The OS scheduler's unit templates in src/schedule/units/, embedded as text. */
declare module "*.service" {
  const text: string;
  export default text;
}
declare module "*.timer" {
  const text: string;
  export default text;
}
declare module "*.plist" {
  const text: string;
  export default text;
}
declare module "*.sh" {
  const text: string;
  export default text;
}
