#!/usr/bin/env bash
# One step of a long command (make run, make fresh-check), saying what it does and how long it
# took. Executed: `step.sh TITLE COMMAND...`. Sourced: defines `step TITLE COMMAND...`, which
# can also run the sourcing script's shell functions.
step() {
    local title=$1 started rc elapsed
    shift
    started=$(date +%s.%N)
    echo "==> $title"
    "$@" && rc=0 || rc=$?
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then echo "    $title: done in $elapsed s"; else echo "    $title: FAILED after $elapsed s (exit $rc)" >&2; fi
    return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    step "$@"
fi
