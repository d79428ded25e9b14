import { defineCommand } from "citty";
import { IclaudeError } from "../core/errors.ts";

export default defineCommand({
  meta: { name: "token", description: "Not implemented yet" },
  run() {
    throw new IclaudeError("`iclaude token` is not implemented yet.");
  },
});
