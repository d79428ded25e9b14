import { defineCommand } from "citty";
import { IclaudeError } from "../core/errors.ts";

export default defineCommand({
  meta: { name: "refresh", description: "Not implemented yet" },
  run() {
    throw new IclaudeError("`iclaude refresh` is not implemented yet.");
  },
});
