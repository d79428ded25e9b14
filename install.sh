#!/usr/bin/env bash
# Sets iclaude up on a machine that has Node.js and npm: installs the dependencies package-lock.json
# lists (dev dependencies too, so `npm test` and `npm run build` work next), compiles dist/iclaude,
# copies it to $ICLAUDE_INSTALL_DIR (default ~/.local/bin), its man page to the share/man beside that
# directory, and adds one line to the rc file of each shell present. Running it again changes nothing more.
#
#   ./install.sh [--no-modify-rc] [--uninstall]
#
# ICLAUDE_NO_MODIFY_RC=1 is --no-modify-rc. Nothing is fetched but from the npm registry.
set -euo pipefail

say() { printf 'install.sh: %s\n' "$*"; }
die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

modify_rc=1
if [ "${ICLAUDE_NO_MODIFY_RC:-}" = 1 ]; then modify_rc=0; fi
uninstall=0
for arg in "$@"; do
  case $arg in
    --no-modify-rc) modify_rc=0 ;;
    --uninstall) uninstall=1 ;;
    -h | --help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $arg; see ./install.sh --help" ;;
  esac
done

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
install_dir=${ICLAUDE_INSTALL_DIR:-$HOME/.local/bin}
target=$install_dir/iclaude
# man finds a page in the share/man beside a bin dir on PATH: ~/.local/bin's is ~/.local/share/man.
man_page=$(dirname -- "$install_dir")/share/man/man1/iclaude.1
# The integration the rc lines source (written by the binary), and what install.sh created, for --uninstall.
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/iclaude
manifest=$cache_dir/created
BEGIN='# >>> iclaude shell integration >>>'
END='# <<< iclaude shell integration <<<'

# What the run leaves half-made goes however it ends (done, refused, failed, stopped): the directory of
# its scratch files for the rc files, and a copy not yet renamed over the binary or the man page.
scratch='' pending=''
cleanup() {
  if [ -n "$scratch" ]; then rm -rf -- "$scratch"; fi
  if [ -n "$pending" ]; then rm -f -- "$pending"; fi
}
trap cleanup EXIT
# Made only where rc files are written: an install that leaves them alone needs no $TMPDIR. A relative
# $TMPDIR is the caller's, read before the run changes its directory.
tmp_root=${TMPDIR:-/tmp}
case $tmp_root in /*) ;; *) tmp_root=$PWD/$tmp_root ;; esac
make_scratch() {
  scratch=$(mktemp -d "$tmp_root/iclaude-install.XXXXXX") || die "cannot make a temporary directory in $tmp_root"
}

# One word for sh: single quotes, each ' closed, escaped and reopened.
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
# One word for fish: inside single quotes only \ and ' are special.
fish_quote() {
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}

# "shell<TAB>rc file" lines: of the shells present, or with `all` of every shell (for --uninstall).
# bash is present: it runs this script.
rc_files() {
  if [ "${1:-}" = all ] || command -v zsh >/dev/null 2>&1; then printf 'zsh\t%s\n' "${ZDOTDIR:-$HOME}/.zshrc"; fi
  printf 'bash\t%s\n' "$HOME/.bashrc"
  if [ "${1:-}" = all ] || command -v fish >/dev/null 2>&1; then printf 'fish\t%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish"; fi
}

# Notes a path install.sh created, so --uninstall takes it away again once it is empty.
note_created() {
  mkdir -p "$cache_dir"
  grep -qxF -- "$1" "$manifest" 2>/dev/null || printf '%s\n' "$1" >>"$manifest"
}

# mkdir -p that notes every level it made.
make_dir() {
  local dir=$1 missing=()
  while [ ! -d "$dir" ]; do
    missing=("$dir" ${missing[@]+"${missing[@]}"})
    dir=$(dirname -- "$dir")
  done
  mkdir -p -- "$1" || return 1
  for dir in ${missing[@]+"${missing[@]}"}; do note_created "$dir"; done
}

# Copies SRC beside DEST and renames it over DEST, so a running iclaude keeps its file and a reader
# never sees half a binary. A copy that cannot be made (a full disk) is removed and said.
install_file() {
  local src=$1 dest=$2 mode=$3 err
  pending=$2.new.$$
  # No `--` before chmod's file: BSD chmod takes the mode as its last option and `--` as a file.
  if ! err=$({ cp -- "$src" "$pending" && chmod "$mode" "$pending" && mv -f -- "$pending" "$dest"; } 2>&1); then
    rm -f -- "$pending"
    pending=''
    err=${err##*$'\n'}
    die "cannot install $dest (${err##*: }); nothing was changed there"
  fi
  pending=''
}

# The created paths, deepest first: an empty rc file is removed, then each directory that is empty.
remove_created() {
  [ -f "$manifest" ] || return 0
  local paths
  paths=$(sort -r "$manifest")
  rm -f "$manifest"
  printf '%s\n' "$paths" | while IFS= read -r path; do
    if [ -f "$path" ] && ! grep -q '[^[:space:]]' "$path"; then
      rm -f -- "$path" && say "removed $path (it was empty)"
    elif [ -d "$path" ] && rmdir -- "$path" 2>/dev/null; then
      say "removed $path (it was empty)"
    fi
  done
}

# Writes the new rc beside the old one and renames it over, so a full disk or any failure leaves the
# rc as it was. A symlinked rc (a dotfiles repo) stays a symlink: its target is replaced. The copy
# starts as the old file's copy (cp -p), so it keeps its mode.
replace_if_changed() {
  local rc=$1 new=$2 target tmp err
  if [ -f "$rc" ] && cmp -s "$new" "$rc"; then
    rm -f "$new"
    return 1
  fi
  local existed=1
  [ -e "$rc" ] || existed=0
  target=$rc
  if [ -L "$rc" ]; then target=$(readlink -f -- "$rc") || target=$rc; fi
  tmp=$target.iclaude-new.$$
  if [ -e "$target" ] && [ ! -f "$target" ]; then die "cannot write $rc (it is not a regular file); nothing was changed there"; fi
  if ! err=$({ make_dir "$(dirname -- "$target")" && { [ "$existed" = 0 ] || cp -p -- "$target" "$tmp"; } && cat "$new" >"$tmp" && mv -f -- "$tmp" "$target"; } 2>&1); then
    rm -f "$new" "$tmp"
    err=${err##*$'\n'}
    die "cannot write $rc (${err##*: }); nothing was changed there"
  fi
  rm -f "$new"
  if [ "$existed" = 0 ]; then note_created "$rc"; fi
}

# A start marker without its end would let the block swallow the rest of the file: touch nothing then.
check_markers() {
  local rc=$1
  [ -f "$rc" ] || return 0
  BEGIN=$BEGIN END=$END awk '
    $0 == ENVIRON["BEGIN"] { if (open) bad = 1; open = 1 }
    $0 == ENVIRON["END"] { if (!open) bad = 1; open = 0 }
    END { exit (bad || open) }
  ' "$rc" || die "the iclaude markers in $rc are unbalanced; fix them by hand, then run install.sh again"
}

# iclaude's own line inside the block (any version's), told apart from a line the user put there.
OWN_LINE=' init (zsh|bash|fish) --cache '

# How many lines of the user's own stand inside the iclaude block of $1.
user_lines() {
  OWN=$OWN_LINE BEGIN=$BEGIN END=$END awk '
    $0 == ENVIRON["BEGIN"] { skip = 1; next }
    skip && $0 == ENVIRON["END"] { skip = 0; next }
    skip && $0 !~ ENVIRON["OWN"] && $0 ~ /[^[:space:]]/ { n++ }
    END { print n + 0 }
  ' "$1"
}

# Puts BODY between the markers: in place of iclaude's line when the block exists, else appended.
# A line the user put inside the block is not iclaude's: it stays where it is, and is said.
write_block() {
  local rc=$1 tmp=$scratch/rc kept=0
  check_markers "$rc"
  : >"$tmp"
  if [ -f "$rc" ]; then
    cp "$rc" "$tmp"
    kept=$(user_lines "$rc")
  fi
  OWN=$OWN_LINE BODY=$2 BEGIN=$BEGIN END=$END awk '
    $0 == ENVIRON["BEGIN"] { print; skip = 1; found = 1; placed = 0; next }
    skip && $0 == ENVIRON["END"] { if (!placed) print ENVIRON["BODY"]; skip = 0; print; next }
    skip && $0 ~ ENVIRON["OWN"] { if (!placed) print ENVIRON["BODY"]; placed = 1; next }
    { print }
    END { if (!found) { if (NR > 0) print ""; print ENVIRON["BEGIN"]; print ENVIRON["BODY"]; print ENVIRON["END"] } }
  ' "$tmp" >"$tmp.new"
  rm -f "$tmp"
  if replace_if_changed "$rc" "$tmp.new"; then say "added the shell integration to $rc"; fi
  if [ "$kept" != 0 ]; then say "kept the $kept line(s) of yours that are inside the iclaude block in $rc"; fi
}

# Removes the block and the blank line install put before it. A line the user put inside the block
# is not iclaude's: it stays, where the block was, and is said.
remove_block() {
  local rc=$1 tmp=$scratch/rc kept
  [ -f "$rc" ] || return 0
  check_markers "$rc"
  kept=$(user_lines "$rc")
  OWN=$OWN_LINE BEGIN=$BEGIN END=$END awk '
    blank && $0 != ENVIRON["BEGIN"] { print ""; }
    { blank = 0 }
    $0 == ENVIRON["BEGIN"] { skip = 1; next }
    skip { if ($0 == ENVIRON["END"]) skip = 0; else if ($0 !~ ENVIRON["OWN"]) print; next }
    $0 == "" { blank = 1; next }
    { print }
    END { if (blank) print "" }
  ' "$rc" >"$tmp"
  if replace_if_changed "$rc" "$tmp"; then say "removed the shell integration from $rc"; fi
  if [ "$kept" != 0 ]; then say "kept the $kept line(s) of yours that were inside the iclaude block in $rc"; fi
}

if [ "$uninstall" = 1 ]; then
  if [ -e "$target" ]; then
    # Git hooks would call a binary that is gone, and let every commit through unchecked: take them out
    # while it is still there, the global ones and those of every repository it installed into.
    "$target" hooks install --uninstall --all 2>&1 | while IFS= read -r line; do say "$line"; done || true
    # An OS timer would run a binary that is gone: it goes too (a failure here must not stop the uninstall).
    "$target" schedule remove 2>&1 | grep -v '^no schedule' | while IFS= read -r line; do say "$line"; done || true
    rm -f "$target"
    say "removed $target"
  fi
  if [ -e "$man_page" ]; then
    rm -f "$man_page"
    say "removed $man_page"
  fi
  if [ "$modify_rc" = 1 ]; then
    make_scratch
    rc_files all | while IFS=$'\t' read -r _ rc; do remove_block "$rc"; done
    rm -f "$cache_dir"/init.zsh "$cache_dir"/init.bash "$cache_dir"/init.fish
  fi
  remove_created
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is needed (it comes with Node.js: https://nodejs.org)."
cd "$repo"

# Everything package-lock.json lists, dev dependencies too: the build's bun, the tests' Claude Code.
# npm's record of what it installed, newer than the lock file, means it is all there already.
if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  say "installing the dependencies in package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
fi
bun=node_modules/.bin/bun
if ! "$bun" --version >/dev/null 2>&1; then
  # An npm that skips install scripts it was not told to allow leaves placeholders: run them as npm would.
  say "running the dependencies' install scripts that npm skipped"
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const { execSync } = require("child_process");
    const pkg = require("./package.json");
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const dir = `node_modules/${name}`;
      const script = require(`./${dir}/package.json`).scripts?.postinstall;
      if (script) execSync(script, { cwd: dir, stdio: "inherit" });
    }
  '
  "$bun" --version >/dev/null 2>&1 || die "$bun does not run after npm ci; remove node_modules and run ./install.sh again."
fi

# The pinned bun builds: the binary embeds the runtime that built it, so it is the one the tests ran.
out=dist/iclaude
"$bun" scripts/build.ts "$out"

make_dir "$cache_dir"
make_dir "$install_dir"
install_dir=$(cd -- "$install_dir" && pwd -P)
target=$install_dir/iclaude
if ! cmp -s "$out" "$target"; then
  install_file "$out" "$target" 755
  say "installed $target ($("$target" --version | head -n 1))"
fi
man_page=$(dirname -- "$install_dir")/share/man/man1/iclaude.1
make_dir "$(dirname -- "$man_page")"
if ! cmp -s dist/iclaude.1 "$man_page"; then
  install_file dist/iclaude.1 "$man_page" 644
  say "installed $man_page (man iclaude)"
fi

on_path=0
if [ "$(command -v iclaude 2>/dev/null || true)" = "$target" ]; then on_path=1; fi
# The exact line for one shell.
path_line() {
  case $1 in
    fish) say "$install_dir is not on PATH; to type iclaude by its name in fish, run once: fish_add_path $(fish_quote "$install_dir")" ;;
    zsh) say "$install_dir is not on PATH; to type iclaude by its name in zsh, add this line to ${ZDOTDIR:-$HOME}/.zshrc: export PATH=$(sh_quote "$install_dir"):\"\$PATH\"" ;;
    *) say "$install_dir is not on PATH; to type iclaude by its name in bash, add this line to ~/.bashrc: export PATH=$(sh_quote "$install_dir"):\"\$PATH\"" ;;
  esac
}
if [ "$on_path" = 0 ]; then
  # Every shell that gets the integration needs the line, or its notices name a command it cannot find;
  # with rc files left alone, the shell the user logs in with.
  if [ "$modify_rc" = 1 ]; then
    rc_files | while IFS=$'\t' read -r shell _; do path_line "$shell"; done
  else
    shell=${SHELL:-bash}
    path_line "${shell##*/}"
  fi
fi
run=iclaude
if [ "$on_path" = 0 ]; then run=$(sh_quote "$target"); fi

if [ "$modify_rc" = 0 ]; then
  say "rc files left alone; see the README for the line to add"
  say "done; run: $run status"
  exit 0
fi

# The bare name when it finds this very binary on PATH, else the absolute path.
if [ "$on_path" = 1 ]; then
  sh_bin=iclaude fish_bin=iclaude
else
  sh_bin=$(sh_quote "$target") fish_bin=$(fish_quote "$target")
fi
# Each line sources a file the binary wrote (and writes again when it changes): no process at shell start.
make_scratch
rc_files | while IFS=$'\t' read -r shell rc; do
  file=$cache_dir/init.$shell
  "$target" init "$shell" --cache "$file" >/dev/null
  case $shell in
    fish)
      quoted=$(fish_quote "$file")
      write_block "$rc" "test -r $quoted; and source $quoted; or $fish_bin init fish --cache $quoted | source"
      ;;
    *)
      quoted=$(sh_quote "$file")
      write_block "$rc" "[ -r $quoted ] && . $quoted || eval \"\$($sh_bin init $shell --cache $quoted)\""
      ;;
  esac
done
say "done; open a new shell, or run: $run status"
