import { EXIT } from "../../base/errors.ts";
import { BACKENDS } from "../../schedule/index.ts";
import { outLines } from "../../ui/out.ts";
import { command } from "../_shared.ts";
import { backendArgs, chosen } from "./_shared.ts";

export default command({
  meta: { name: "remove", description: "Take out what `schedule install` put in (without a flag: from every scheduler)" },
  args: backendArgs,
  async run({ args }) {
    const name = chosen(args);
    const lines = (name ? [BACKENDS[name]] : Object.values(BACKENDS)).flatMap((backend) => backend.remove(process.env));
    await outLines(lines.length > 0 ? lines : ["no schedule of iclaude's was installed"]);
    return EXIT.ok;
  },
});
