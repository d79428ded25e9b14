import { formatDuration, parseDuration } from "../../base/durations.ts";
import { EXIT, IclaudeError } from "../../base/errors.ts";
import { brokerPath, brokerProfile } from "../../broker/client.ts";
import { boxTarget, keepSynced, type SyncResult, syncOnce } from "../../broker/sync.ts";
import { CLAUDE } from "../../credentials/claude.ts";
import { log } from "../../ui/log.ts";
import { outLines } from "../../ui/out.ts";
import { command } from "../_shared.ts";
import { untilSignal, validFor } from "./_shared.ts";

function syncLine(dir: string, { answer, changed }: SyncResult): string {
  return `${changed ? "wrote" : "up to date:"} ${CLAUDE.credentialsPath(dir)} — access token ${validFor(answer.expiresAt)}, no refresh token`;
}

export default command({
  meta: { name: "sync", description: "Inside a box: keep DIR/.credentials.json holding the broker's access token (no refresh token) fresh" },
  args: {
    broker: { type: "string", valueHint: "PATH", description: "The broker's socket (env ICLAUDE_BROKER)" },
    to: { type: "string", valueHint: "DIR", description: "The Claude Code config dir to write (default: CLAUDE_CONFIG_DIR, else ~/.claude)" },
    once: { type: "boolean", description: "Write once and exit, instead of keeping the file fresh until SIGTERM" },
    interval: { type: "string", valueHint: "1m", description: "How often to ask the broker again (it refreshes an hour before expiry)" },
    profile: { type: "string", valueHint: "DIR", description: "The host config dir to ask for (env ICLAUDE_BROKER_PROFILE; default: the broker's first)" },
  },
  async run({ args }) {
    const socket = brokerPath(args.broker);
    if (!socket) throw new IclaudeError("`iclaude broker sync` needs the broker's socket: --broker PATH or ICLAUDE_BROKER.", EXIT.usage);
    const intervalMs = parseDuration(args.interval ?? "1m", "--interval") * 1000;
    if (intervalMs === 0) throw new IclaudeError("--interval: 0 would ask the broker without pause; give at least 1s.", EXIT.usage);
    const target = boxTarget(args.to);
    const dir = target.dir;
    const profile = brokerProfile(args.profile);
    const report = (result: SyncResult) => {
      for (const path of result.skipped) log.warn(`${path} is not JSON, so Claude Code may show its first-run screens; fix or remove it.`);
    };
    const first = await syncOnce(socket, profile, target);
    report(first);
    if (args.once) {
      await outLines([syncLine(dir, first)]);
      return EXIT.ok;
    }
    log.info(syncLine(dir, first));
    let failing = false;
    const loop = keepSynced(socket, profile, target, intervalMs, (result) => {
      if (result instanceof IclaudeError) {
        // Said once per outage, not every minute; the file keeps the last token meanwhile.
        if (!failing) log.warn(`${result.message} Keeping the last token and asking again every ${formatDuration(intervalMs / 1000)}.`);
        else log.debug("sync: the broker is still unreachable; the last token is kept");
        failing = true;
        return;
      }
      failing = false;
      report(result);
      if (result.changed) log.info(syncLine(dir, result));
    });
    await untilSignal();
    loop.stop();
    return EXIT.ok;
  },
});
