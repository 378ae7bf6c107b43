"""The size check CI runs: no module in contest/ over 300 lines, no function over 60.

python .ci/sizes.py   (exit 1 with one line per module or function over its limit)
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LINES, FUNCTION_LINES = 300, 60


def problems(root=ROOT / "contest"):
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        name = path.relative_to(root.parent)
        lines = text.count("\n")
        if lines > MODULE_LINES:
            found.append(
                f"{name}: {lines} lines (at most {MODULE_LINES}): split it by what it does"
            )
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = node.end_lineno - first + 1
                if length > FUNCTION_LINES:
                    found.append(
                        f"{name}:{node.lineno}: {node.name} is {length} lines "
                        f"(at most {FUNCTION_LINES})"
                    )
    return found


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
