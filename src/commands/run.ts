import { IclaudeError } from "../core/errors.ts";

export async function launch(_args: string[]): Promise<number> {
  throw new IclaudeError("Running claude through iclaude is not implemented yet.");
}
