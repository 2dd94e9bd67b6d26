#!/usr/bin/env bash
# A git pre-commit hook that blocks copy with serious MT artifacts and says why.
# Install: ln -s ../../scripts/pre-commit-hook.sh .git/hooks/pre-commit
# Tune with MTQA_FAIL_ON (minor|major|critical; default major) and MTQA_ARGS (e.g. "--no-lm").
set -u
files=$(git diff --cached --name-only --diff-filter=ACM -- '*.txt' '*.md' '*.xml' '*.json' '*.rss' '*.atom')
[ -z "$files" ] && exit 0
# shellcheck disable=SC2086
mtqa check ${MTQA_ARGS:-} --fail-on "${MTQA_FAIL_ON:-major}" $files
rc=$?
case $rc in
  0) exit 0 ;;
  1) echo "mtqa: commit blocked: the findings above are at or above '${MTQA_FAIL_ON:-major}'." >&2
     echo "      Fix them (mtqa fix FILE -i), or commit with --no-verify to override." >&2
     exit 1 ;;
  *) echo "mtqa: could not check the staged copy (exit $rc); see the error above." >&2; exit "$rc" ;;
esac
