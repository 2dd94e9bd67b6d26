#!/usr/bin/env bash
# A git pre-commit hook that checks the staged copy (what will be committed, not the working
# tree) and blocks the commit when something is at or above MTQA_FAIL_ON, printing each finding.
# Install: ln -s ../../scripts/pre-commit-hook.sh .git/hooks/pre-commit
# Tune with MTQA_FAIL_ON (minor|major|critical; default major) and MTQA_ARGS (e.g. "--no-lm").
# With the pre-commit framework, use the hooks in .pre-commit-hooks.yaml instead.
set -u
root=$(git rev-parse --show-toplevel) || exit 2
cd "$root" || exit 2

# mtqa from the repository's own venv, else from PATH.
if [ -x "$root/.venv/bin/mtqa" ]; then
  mtqa=$root/.venv/bin/mtqa
elif command -v mtqa >/dev/null 2>&1; then
  mtqa=$(command -v mtqa)
else
  echo "mtqa: not found in $root/.venv/bin or on PATH; install it, or commit with --no-verify to skip the check." >&2
  exit 2
fi

# The config file mtqa finds from the repository root, named explicitly because the check runs
# elsewhere (on the staged copies): mtqa.toml, pyproject.toml [tool.mtqa] or setup.cfg [mtqa].
config=()
dir=$root
while :; do
  if [ -f "$dir/mtqa.toml" ]; then config=(--config "$dir/mtqa.toml"); break; fi
  if [ -f "$dir/pyproject.toml" ] && grep -q '^\[tool\.mtqa' "$dir/pyproject.toml"; then
    config=(--config "$dir/pyproject.toml"); break
  fi
  if [ -f "$dir/setup.cfg" ] && grep -q '^\[mtqa\]' "$dir/setup.cfg"; then config=(--config "$dir/setup.cfg"); break; fi
  [ "$dir" = / ] && break
  dir=$(dirname "$dir")
done

# The staged version of each copy file (NUL-separated, so any file name survives), written
# under a scratch folder with its repository path, and checked from there: findings name the
# repository path, and the working tree is never read.
list=$(mktemp) && staged=$(mktemp -d) || exit 2
trap 'rm -rf "$list" "$staged"' EXIT
git diff --cached --name-only -z --diff-filter=ACMR -- '*.txt' '*.md' '*.markdown' '*.html' '*.htm' \
  '*.xml' '*.json' '*.ninjs' '*.rss' '*.atom' > "$list" || exit 2
[ -s "$list" ] || exit 0
git checkout-index --prefix="$staged/" -z --stdin < "$list" || exit 2
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < "$list"
cd "$staged" || exit 2
# shellcheck disable=SC2086
"$mtqa" check ${MTQA_ARGS:-} "${config[@]}" --fail-on "${MTQA_FAIL_ON:-major}" -- "${files[@]}"
rc=$?
case $rc in
  0) exit 0 ;;
  1) echo "mtqa: commit blocked: the findings above are at or above '${MTQA_FAIL_ON:-major}'." >&2
     echo "      Fix them (mtqa fix FILE -i), accept them (see README: suppression), or commit with --no-verify." >&2
     exit 1 ;;
  *) echo "mtqa: could not check the staged copy (exit $rc); see the error above." >&2; exit "$rc" ;;
esac
