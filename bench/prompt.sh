#!/usr/bin/env bash
# Per-prompt cost of iclaude's shell hook in steady state (the login fine, next-check ahead), against
# the same shell with no hook, and direnv's hook measured the same way when direnv is installed.
#
#   bench/prompt.sh [prompts]        ICLAUDE_BIN=path/to/iclaude (default dist/iclaude)
#
# Each run is an interactive shell reading one `:` per line from stdin, so every line is one prompt
# and the hooks run once per line; the difference from the bare shell, divided by the prompts, is
# the hook's cost. Best of 5 runs each, to keep the machine's noise out. fish draws no prompt for
# piped input, so there the prompt event is emitted in a loop, with and without the hook sourced.
set -euo pipefail
cd "$(dirname "$0")/.."

prompts=${1:-5000}
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_setup bench/prompt.sh
for ((i = 0; i < prompts; i++)); do echo :; done >"$work/input"

# rc file for shell $1 with hook $2 (none, iclaude, direnv); prints its path.
rc() {
  local file=$work/$1-$2.rc
  {
    echo "PS1=''; PS2=''"
    if [ "$1" = zsh ]; then echo "unsetopt PROMPT_SP"; fi
    case $2 in
      iclaude) "$bin" init "$1" ;;
      direnv) direnv hook "$1" ;;
    esac
  } >"$file"
  echo "$file"
}

# Wall time in µs of one interactive run over the prompts.
run_once() {
  local shell=$1 file=$2 start end
  start=$EPOCHREALTIME
  if [ "$shell" = zsh ]; then
    cp "$file" "$work/home/.zshrc"
    HOME=$work/home ZDOTDIR=$work/home ICLAUDE_STATE_DIR=$work/state zsh -i <"$work/input" >/dev/null 2>&1
  else
    HOME=$work/home ICLAUDE_STATE_DIR=$work/state bash --noprofile --noediting --rcfile "$file" -i <"$work/input" >/dev/null 2>&1
  fi
  end=$EPOCHREALTIME
  echo $(( ${end/./} - ${start/./} ))
}


per_prompt() { awk -v a="$1" -v b="$2" -v n="$prompts" 'BEGIN { printf "%.1f", (a - b) / n }'; }

hooks=(iclaude)
if command -v direnv >/dev/null 2>&1; then hooks+=(direnv); fi
echo "prompts per run: $prompts; best of 5 runs; µs per prompt above the bare shell"
for shell in zsh bash; do
  bare=$(best_of_5 "$shell" "$(rc "$shell" none)")
  line="$shell: bare $(awk -v a="$bare" -v n="$prompts" 'BEGIN { printf "%.1f", a / n }') µs/prompt"
  declare -A cost=()
  for hook in "${hooks[@]}"; do
    t=$(best_of_5 "$shell" "$(rc "$shell" "$hook")")
    cost[$hook]=$(per_prompt "$t" "$bare")
    line+="; $hook +${cost[$hook]} µs"
  done
  if [ -n "${cost[direnv]:-}" ]; then
    line+="; direnv/iclaude $(awk -v d="${cost[direnv]}" -v i="${cost[iclaude]}" 'BEGIN { printf (i > 0 ? "%.0fx" : "n/a"), d / i }')"
  fi
  echo "$line"
  unset cost
done

if command -v fish >/dev/null 2>&1; then
  "$bin" init fish >"$work/init.fish"
  # A first interactive fish generates man-page completions in the background; pretend it has.
  mkdir -p "$work/home/.local/share/fish/generated_completions"
  printf 'SETUVAR __fish_initialized:3400\n' >"$work/home/.local/share/fish/fish_variables"
  # Nanoseconds for $prompts emitted prompt events, with the hook sourced first when $1 is a file.
  # fish's own prompt handlers write terminal codes on stdout, so the figure goes to a file.
  fish_run() {
    # shellcheck disable=SC2016 # fish code, expanded by fish
    HOME=$work/home ICLAUDE_STATE_DIR=$work/state fish -i -c '
      test -n "'"$1"'"; and source "'"$1"'"; and emit fish_prompt
      set -l t (date +%s%N); for i in (seq '"$prompts"'); emit fish_prompt; end
      math (date +%s%N) - $t >'"$work"'/fish.out
    ' >/dev/null 2>&1
    cat "$work/fish.out"
  }
  fish_best() {
    local best="" t
    for _ in 1 2 3 4 5; do
      t=$(fish_run "$1")
      if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
  }
  bare=$(fish_best "")
  hook=$(fish_best "$work/init.fish")
  awk -v a="$bare" -v h="$hook" -v n="$prompts" \
    'BEGIN { printf "fish: bare %.1f µs/prompt; iclaude +%.1f µs (emit fish_prompt in a loop)\n", a / n / 1000, (h - a) / n / 1000 }'
fi
