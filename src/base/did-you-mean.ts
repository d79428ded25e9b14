/** Typo distance and the closest candidate: one place for commands, flags and config keys. */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  // Every cell read is one already filled; outside the table would be no alignment at all.
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (const [i, row] of d.entries()) {
    if (i === 0) continue;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * How many edits still read as a typo of `name`: none for names of three letters or fewer (`run`
 * would otherwise claim every short word), one up to four letters, two beyond.
 */
const tolerance = (name: string): number => (name.length <= 3 ? 0 : name.length <= 4 ? 1 : 2);

const isOpposite = (a: string, b: string): boolean => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x === `un${y}` || y === `un${x}`;
};

/**
 * The candidate `word` most likely mistypes, or null when none is close. `key` is what is compared
 * (`--version` as `version`, so `verison` and `version` find it); the word itself is not a typo.
 */
export function closest(word: string, candidates: readonly string[], key: (c: string) => string = (c) => c): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const typed = key(word);
  for (const candidate of candidates) {
    // `uninstall` is no typo of `install`: a suggestion must never be the opposite action.
    if (candidate === word || isOpposite(word, candidate)) continue;
    const name = key(candidate);
    const distance = editDistance(typed, name);
    if (distance <= tolerance(name) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
