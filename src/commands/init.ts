import { defineCommand } from "citty";
import { IclaudeError } from "../core/errors.ts";

export default defineCommand({
  meta: { name: "init", description: "Not implemented yet" },
  run() {
    throw new IclaudeError("`iclaude init` is not implemented yet.");
  },
});
