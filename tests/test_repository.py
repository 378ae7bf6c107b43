"""The repository's own checks that CI runs (.ci/docs.py, .ci/sizes.py) catch what they are
for, and the repository passes them."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / ".ci" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_check_catches_a_long_readme_a_dead_link_and_an_issue_number(tmp_path):
    docs = _load("docs")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n")
    (tmp_path / "README.md").write_text("[ok](docs/there.md) [gone](docs/gone.md)\n" * 201)
    (tmp_path / "docs" / "a.md").write_text(
        "[up](../README.md) [web](https://example.com) [out](../../elsewhere.md)\n"
        "Fixed in issue 12.\n"
    )
    found = docs.problems(tmp_path)
    assert any("README.md has 201 lines" in p for p in found)
    assert "README.md:1: docs/gone.md does not exist" in found
    assert not any("there.md" in p or "example.com" in p or "../README.md" in p for p in found)
    assert "docs/a.md:1: ../../elsewhere.md is outside the repository" in found
    assert "docs/a.md:2: an internal issue number; say what changed" in found
    assert docs.problems() == []  # and this repository passes


def test_the_size_check_catches_a_long_module_and_a_long_function(tmp_path):
    sizes = _load("sizes")
    package = tmp_path / "contest"
    package.mkdir()
    (package / "long.py").write_text("x = 1\n" * 301)
    body = "".join(f"    y{i} = {i}\n" for i in range(60))
    (package / "fine.py").write_text(f"def fine():\n{body[: -len('    y59 = 59') - 1]}\n")
    (package / "slow.py").write_text(f"@staticmethod\ndef slow():\n{body}")
    found = sizes.problems(package)
    assert found == [
        "contest/long.py: 301 lines (at most 300): split it by what it does",
        "contest/slow.py:2: slow is 62 lines (at most 60)",
    ]
    assert sizes.problems() == []
