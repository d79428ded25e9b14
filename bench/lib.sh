# Shared by the shell benchmarks (sourced).

# The best of 5 runs of the caller's run_once "$@", in µs.
best_of_5() {
  local best=0 t
  for _ in 1 2 3 4 5; do
    t=$(run_once "$@")
    if [ "$best" = 0 ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

# $bin: the binary under test ($ICLAUDE_BIN, default dist/iclaude) as an absolute path; $work: a
# temp dir removed on exit, with a home and a state dir whose next-check is a day away. $1 names the caller.
bench_setup() {
  bin=$(cd "$(dirname "${ICLAUDE_BIN:-dist/iclaude}")" && pwd)/$(basename "${ICLAUDE_BIN:-dist/iclaude}")
  [ -x "$bin" ] || { echo "$1: no binary at $bin; run npm run build first" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/state" "$work/home"
  echo $(( $(date +%s) + 86400 )) >"$work/state/next-check"
}
