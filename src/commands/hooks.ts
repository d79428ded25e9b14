import { defineCommand } from "citty";
import { IclaudeError } from "../core/errors.ts";

export default defineCommand({
  meta: { name: "hooks", description: "Not implemented yet" },
  run() {
    throw new IclaudeError("`iclaude hooks` is not implemented yet.");
  },
});
