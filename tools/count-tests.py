#!/usr/bin/env python3
# tools/count-tests.py: read meson's testlog.json and print one closing line,
# "N passed, N failed, N skipped", counting every case of a test that speaks
# TAP (meson's log does not record the protocol) and each other test once.
import json
import re
import sys

TAP_CASE = re.compile(r"^(ok|not ok)\b[^#\n]*(?:#\s*(SKIP|TODO))?", re.M | re.I)


def count(test):
    """Returns (passed, failed, skipped) for one entry of testlog.json."""
    result = test.get("result", "")
    cases = TAP_CASE.findall(test.get("stdout") or "")
    if not cases:
        if result in ("OK", "EXPECTEDFAIL"):
            return 1, 0, 0
        return (0, 0, 1) if result == "SKIP" else (0, 1, 0)
    passed = failed = skipped = 0
    for status, directive in cases:
        if directive.upper() == "SKIP":
            skipped += 1
        elif status == "ok" or directive.upper() == "TODO":
            passed += 1
        else:
            failed += 1
    if failed == 0 and result in ("FAIL", "TIMEOUT", "ERROR"):
        failed = 1  # crashed or timed out after its last reported case
    return passed, failed, skipped


def main():
    try:
        with open(sys.argv[1], encoding="utf-8") as log:
            tests = [json.loads(line) for line in log if line.strip()]
    except OSError:
        tests = []  # meson ran no test
    totals = [sum(t) for t in zip((0, 0, 0), *map(count, tests))]
    print("%d passed, %d failed, %d skipped" % tuple(totals))


main()
