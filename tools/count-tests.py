#!/usr/bin/env python3
# tools/count-tests.py: read meson's testlog.json and print one closing line,
# "N passed, N failed, N skipped", counting every TAP case of a TAP test and
# each other test once.
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        result = test.get("result", "")
        cases = [] if test.get("protocol") != "tap" else re.findall(
            r"^(ok|not ok)\b[^#\n]*(#\s*(SKIP|TODO))?",
            test.get("stdout", ""), re.M)
        if cases:
            for status, _, directive in cases:
                if directive.upper() == "SKIP":
                    skipped += 1
                elif status == "ok" or directive.upper() == "TODO":
                    passed += 1
                else:
                    failed += 1
            if result in ("FAIL", "TIMEOUT", "ERROR") and \
               all(s == "ok" for s, _, _ in cases):
                failed += 1  # crashed after its last case
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1

print(f"{passed} passed, {failed} failed, {skipped} skipped")
