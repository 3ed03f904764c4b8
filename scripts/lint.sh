#!/bin/sh
# Source checker: bans the libc calls style.md rules out and SQL built by
# string formatting.  Prints "lint: N passed, N failed".
cd "$(dirname "$0")/.."
fail=0
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets|system)[[:space:]]*\(' src tests/unit tests/fuzz --include='*.c' --include='*.h' 2>/dev/null | grep -vE ':[[:space:]]*(//|/?\*)')
if [ -n "$hits" ]; then echo "banned calls:"; echo "$hits"; fail=$((fail + 1)); fi
# SQL must be prepared with bound parameters, never formatted.
sqlfmt=$(grep -rnE 'printf\([^;]*"(SELECT|INSERT|UPDATE|DELETE) ' src --include='*.c' 2>/dev/null)
if [ -n "$sqlfmt" ]; then echo "SQL built with printf:"; echo "$sqlfmt"; fail=$((fail + 1)); fi
echo "lint: $((2 - fail)) passed, $fail failed"
[ $fail -eq 0 ]
