# Shared by the shell benchmarks (sourced): the best of 5 runs of the caller's run_once "$@", in µs.
best_of_5() {
  local best=0 t
  for _ in 1 2 3 4 5; do
    t=$(run_once "$@")
    if [ "$best" = 0 ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}
