/** The git hook stub in hooks/, embedded in the binary as text (`with { type: "text" }`). */
declare module "*/hooks/stub" {
  const text: string;
  export default text;
}
