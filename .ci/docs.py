"""The docs check CI runs: the README stays short, and every link in the README and docs/
points at a file that exists (nothing outside the repository, no internal issue numbers).

python .ci/docs.py   (exit 1 with one line per problem)
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README_LINES = 200
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|(?:src|href)=\"([^\"]+)\"")
ISSUE_NUMBER = re.compile(r"(?i)\bissues?\s*#?\d+\b|\(#\d+\)")


def problems(root=ROOT):
    found = []
    readme = root / "README.md"
    lines = readme.read_text().count("\n")
    if lines > README_LINES:
        found.append(
            f"README.md has {lines} lines; keep it to {README_LINES} (move detail to docs/)"
        )
    for doc in [readme, *sorted((root / "docs").glob("**/*.md"))]:
        text = doc.read_text()
        name = doc.relative_to(root)
        for number, line in enumerate(text.splitlines(), start=1):
            if ISSUE_NUMBER.search(line):
                found.append(f"{name}:{number}: an internal issue number; say what changed")
            for target in (a or b for a, b in LINK.findall(line)):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue  # a web address or an anchor on the same page
                path = (doc.parent / target.split("#", 1)[0]).resolve()
                if not path.is_relative_to(root.resolve()):
                    found.append(f"{name}:{number}: {target} is outside the repository")
                elif not path.exists():
                    found.append(f"{name}:{number}: {target} does not exist")
    return found


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
