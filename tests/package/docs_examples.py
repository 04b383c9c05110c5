"""Checks that every code block of docs/api.md marked <!-- example: PATH --> is the
file PATH, byte for byte (the files are what the test suite compiles and runs), and
that every docs/api/*.c file appears in the document.

    docs_examples.py DOC ROOT
"""
import pathlib
import re
import sys


def main():
    doc_path, root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    text = doc_path.read_text()
    pattern = re.compile(r"<!-- example: (\S+) -->\n```c\n(.*?)```\n", re.S)
    shown = set()
    failures = []
    for match in pattern.finditer(text):
        name, code = match.group(1), match.group(2)
        shown.add(name)
        path = root / name
        if not path.is_file():
            failures.append(f"{doc_path}: example {name} does not exist")
        elif path.read_text() != code:
            failures.append(f"{doc_path}: the block of {name} differs from the file")
    for path in sorted((root / "docs" / "api").glob("*.c")):
        name = path.relative_to(root).as_posix()
        if name not in shown:
            failures.append(f"{doc_path}: {name} is not shown in the document")
    if not shown:
        failures.append(f"{doc_path}: no example blocks found")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{len(shown)} example blocks checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
