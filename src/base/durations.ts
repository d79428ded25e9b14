import { IclaudeError } from "./errors.ts";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Ten years: anything longer is a typo, not a setting. */
const MAX_SECONDS = 10 * 365 * 86400;

/** `90s`, `30m`, `12h`, `7d` or plain seconds → seconds; `where` names the source for the error. */
export function parseDuration(value: string | number, where: string): number {
  const text = String(value).trim();
  const match = /^(\d{1,12})([smhd]?)$/.exec(text);
  const seconds = match ? Number(match[1]) * (UNITS[match[2] || "s"] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds > MAX_SECONDS) {
    throw new IclaudeError(`${where}: "${text.slice(0, 40)}" is not a duration; write it like 90s, 30m, 12h, 7d or a number of seconds.`);
  }
  return seconds;
}

/**
 * `5h 12m`, `2 days 23h`, `23 days`, `40s`: the largest units a person needs. Under a week the
 * hours still matter (2 days 23h is not "2 days"); from a week on, the nearest whole day.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 7 * 86400) return `${Math.round(s / 86400)} days`;
  if (s >= 86400) {
    const days = Math.floor(s / 86400);
    const hours = Math.floor((s % 86400) / 3600);
    return `${days} day${days === 1 ? "" : "s"}${hours ? ` ${hours}h` : ""}`;
  }
  if (s >= 3600) {
    const m = Math.floor((s % 3600) / 60);
    return m ? `${Math.floor(s / 3600)}h ${m}m` : `${Math.floor(s / 3600)}h`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}
