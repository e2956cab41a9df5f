"""The suite runs whole: no test imports ``conftest`` (ambiguous across folders)."""

from pathlib import Path


def test_no_test_module_imports_from_conftest():
    offenders = [
        str(path)
        for path in Path(__file__).parent.rglob("*.py")
        if "from conftest import" in path.read_text(encoding="utf-8")
        and path.name != "test_suite_layout.py"
    ]
    assert offenders == [], "import shared helpers from `support` or a named module instead"
