"""Fail unless every package installed in this environment is pinned, at its version, in the
lock given (requirements-dev.txt): nothing in the environment CI tests in may float."""

import re
import sys
from importlib.metadata import distributions


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock):
    pinned = {}
    for line in open(lock, encoding="utf-8"):
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", line)
        if found:
            pinned[normal(found[1])] = found[2]
    wrong = []
    for dist in distributions():
        name, version = normal(dist.metadata["Name"]), dist.version
        if pinned.get(name) != version:
            wrong.append(f"{name}=={version} (lock: {pinned.get(name, 'not listed')})")
    if wrong:
        print(f"installed but not pinned in {lock}:", *sorted(wrong), sep="\n  ")
        return 1
    print(f"all installed packages are pinned in {lock}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements-dev.txt"))
