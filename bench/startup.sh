#!/usr/bin/env bash
# What the rc line costs each new shell, in zsh and bash: install.sh's line (it sources a file the
# binary wrote, starting no process) and the `eval "$(iclaude init …)"` form (it starts the binary),
# against a bare shell in the same run, and against direnv's and zoxide's `eval` lines when they are
# installed (Debian: apt-get install direnv zoxide).
#
#   bench/startup.sh [starts]        ICLAUDE_BIN=path/to/iclaude (default dist/iclaude)
#
# Each figure is the best of 5 runs of `starts` interactive shells that read the rc file and exit,
# minus the bare shell's, divided by the starts.
set -euo pipefail
cd "$(dirname "$0")/.."

starts=${1:-40}
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_setup bench/startup.sh

# The rc line of shell $1 for variant $2.
line() {
  local cache=$work/init.$1
  case $2 in
    bare) echo ":" ;;
    cached) echo "[ -r '$cache' ] && . '$cache' || eval \"\$('$bin' init $1 --cache '$cache')\"" ;;
    eval) echo "eval \"\$('$bin' init $1)\"" ;;
    direnv) echo "eval \"\$(direnv hook $1)\"" ;;
    zoxide) echo "eval \"\$(zoxide init $1)\"" ;;
  esac
}

# Wall time in µs of $starts interactive starts of shell $1 with rc line $2.
run_once() {
  local shell=$1 rc=$work/$1.rc start end i
  line "$shell" "$2" >"$rc"
  cp "$rc" "$work/home/.zshrc"
  start=$EPOCHREALTIME
  for ((i = 0; i < starts; i++)); do
    if [ "$shell" = zsh ]; then
      HOME=$work/home ZDOTDIR=$work/home ICLAUDE_STATE_DIR=$work/state zsh -i -c exit </dev/null >/dev/null 2>&1
    else
      HOME=$work/home ICLAUDE_STATE_DIR=$work/state bash --noprofile --noediting --rcfile "$rc" -i -c exit </dev/null >/dev/null 2>&1
    fi
  done
  end=$EPOCHREALTIME
  echo $(( ${end/./} - ${start/./} ))
}


ms() { awk -v a="$1" -v n="$starts" 'BEGIN { printf "%.2f", a / n / 1000 }'; }

variants=(cached eval)
for tool in direnv zoxide; do
  if command -v "$tool" >/dev/null 2>&1; then variants+=("$tool"); fi
done
echo "$starts starts per run, best of 5 runs; ms per shell start above the bare shell"
for shell in zsh bash; do
  "$bin" init "$shell" --cache "$work/init.$shell" >/dev/null
  bare=$(best_of_5 "$shell" bare)
  out="$shell: bare $(ms "$bare") ms"
  for variant in "${variants[@]}"; do
    t=$(best_of_5 "$shell" "$variant")
    out+="; $variant +$(ms $((t - bare))) ms"
  done
  echo "$out"
done
