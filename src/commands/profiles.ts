import { EXIT, IclaudeError } from "../base/errors.ts";
import { showText } from "../base/show.ts";
import { addProfile, listProfiles, removeProfile } from "../credentials/profiles.ts";
import { printJson } from "../ui/json.ts";
import { out, outLines } from "../ui/out.ts";
import { command, withHelp } from "./_shared.ts";

const ACTIONS = ["list", "add", "remove"] as const;
type Action = (typeof ACTIONS)[number];

export default withHelp(
  command({
    meta: {
      name: "profiles",
      description:
        "The Claude Code config dirs iclaude looks after: ~/.claude while it holds a login, and those added (status --all, refresh --all, the schedule)",
    },
    args: {
      action: { type: "positional", required: false, valueHint: ACTIONS.join("|"), description: "list (the default), add DIR or remove DIR" },
      dir: { type: "positional", required: false, valueHint: "DIR", description: "A Claude Code config dir, as CLAUDE_CONFIG_DIR would name it" },
      json: { type: "boolean", description: "Print a JSON array of {dir, default, added} instead of lines" },
    },
    async run({ args }) {
      const action = (args.action ?? "list") as Action;
      if (!ACTIONS.includes(action))
        throw new IclaudeError(`Unknown profiles action "${String(args.action).slice(0, 40)}": use list, add DIR or remove DIR.`, EXIT.usage);
      if (action !== "list") {
        if (!args.dir)
          throw new IclaudeError(`\`iclaude profiles ${action}\` needs the config dir, e.g. \`iclaude profiles ${action} ~/.claude-work\`.`, EXIT.usage);
        if (action === "add") {
          const { dir, changed } = addProfile(args.dir);
          await out(changed ? `added ${showText(dir)}\n` : `${showText(dir)} is already a profile\n`);
        } else await out(`removed ${showText(removeProfile(args.dir))}\n`);
        return EXIT.ok;
      }
      if (args.dir) throw new IclaudeError("`iclaude profiles` takes no dir; did you mean `iclaude profiles add DIR`?", EXIT.usage);
      const profiles = listProfiles();
      if (args.json) await printJson(profiles.map((p) => ({ dir: p.dir, default: p.isDefault, added: p.added })));
      else await outLines(profiles.map((p) => `${showText(p.dir)}${p.isDefault ? " (default)" : ""}`));
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ["iclaude profiles", "list them"],
      ["iclaude profiles add ~/.claude-work", "look after a second account"],
      ["iclaude status --all", "judge every profile"],
    ],
    env: ["CLAUDE_CONFIG_DIR", "ICLAUDE_CONFIG"],
    exits: [
      ["0", "listed, added or removed"],
      ["2", "bad usage, a dir that is not one, or a damaged profiles file"],
    ],
  },
);
