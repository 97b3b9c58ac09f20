"""Packaging hook: the wheel carries what the library reads — the shipped collections, the
glossary and the default index — as package data under ``recsearch/_shipped/``.

They stay reviewable files at the top of the repository (``data/``, ``index/``); this copies
them into the build, so ``pip install`` of the wheel (or of a git URL) answers with citations
from any directory. Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = [
    (ROOT / "data" / "collections", Path("data") / "collections"),
    (ROOT / "data" / "glossary.tsv", Path("data") / "glossary.tsv"),
    (ROOT / "data" / "relevance.json", Path("data") / "relevance.json"),
    (ROOT / "index", Path("index")),
]


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "recsearch" / "_shipped"
        for source, rel in SHIPPED:
            dest = target / rel
            if dest.exists():
                shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".tmp-*", ".old-*", "__pycache__"))
            else:
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": build_py_with_data})
