/** The git hook stubs in hooks/, embedded in the binary as text (`with { type: "text" }`). */
declare module "*/hooks/pre-commit" {
  const text: string;
  export default text;
}
declare module "*/hooks/prepare-commit-msg" {
  const text: string;
  export default text;
}
declare module "*/hooks/commit-msg" {
  const text: string;
  export default text;
}
