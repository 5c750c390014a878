"""Check that a built wheel holds every file of the package: ``python wheel_contents.py WHEEL``.

Every file under ``src/redline`` (the examples, the web app's templates, static files and
migrations, the code) must be in the wheel as ``redline/...``; bytecode caches are not
compared, nor hidden files (a web app's ``.redline/`` history). Prints one line per missing
file and exits 1, or prints a summary and exits 0.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "redline"
NEEDED = ("redline/examples/donbas-2026.yaml", "redline/web/templates/base.html",
          "redline/web/migrations/env.py", "redline/web/migrations/script.py.mako")


def package_files() -> set[str]:
    """The files a wheel must hold, as wheel paths (``redline/...``)."""
    return {f"redline/{path.relative_to(PACKAGE).as_posix()}" for path in PACKAGE.rglob("*")
            if path.is_file() and path.suffix != ".pyc"
            and not any(part == "__pycache__" or part.startswith(".")
                        for part in path.relative_to(PACKAGE).parts)}


def main(wheel: str) -> int:
    """Compare the wheel with the package folder; 0 when nothing is missing."""
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    expected = package_files()
    missing = sorted((expected | set(NEEDED)) - inside)
    for name in missing:
        print(f"error: {wheel}: missing {name}", file=sys.stderr)
    if missing:
        return 1
    data = sorted(name for name in expected if not name.endswith(".py"))
    print(f"{Path(wheel).name}: all {len(expected)} package files, "
          f"{len(data)} of them data: {', '.join(n.removeprefix('redline/') for n in data)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python wheel_contents.py WHEEL")
    sys.exit(main(sys.argv[1]))
