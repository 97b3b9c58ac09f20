"""The source text: the Arabic extraction of CTOC/COP/WG.4/2019/5, read and verified.

Everything downstream cites line numbers of this exact file, so it is pinned by sha256:
a different file is refused rather than silently parsed into different records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._io import sha256_bytes
from ..errors import SourceError, SourceNotFoundError

#: sha256 of the extraction shipped in ``data/source_ar.txt``.
SOURCE_SHA256 = "175f44bc97a5f3e06a2bc3aafa58f8679ef244972621ad12dbc29ead6a684a54"
SOURCE_FILENAME = "source_ar.txt"
DOCUMENT_SYMBOL = "CTOC/COP/WG.4/2019/5"
JOB_NUMBER = "V.19-08473"


@dataclass(frozen=True)
class SourceText:
    """The verified source: its path, sha256 and lines (1-based numbering via :meth:`line`)."""

    path: Path
    sha256: str
    lines: tuple[str, ...]

    def line(self, number: int) -> str:
        return self.lines[number - 1]


def read_source(path: str | Path, *, expected_sha256: str | None = SOURCE_SHA256) -> SourceText:
    """Read the source text, refusing a missing, truncated or different file by name."""
    path = Path(path)
    if not path.is_file():
        raise SourceNotFoundError(f"source text not found: {path}")
    data = path.read_bytes()
    digest = sha256_bytes(data)
    if expected_sha256 is not None and digest != expected_sha256:
        raise SourceError(
            f"source text {path} has sha256 {digest}, expected {expected_sha256}: "
            "it is truncated or not the extraction of CTOC/COP/WG.4/2019/5 this dataset is built from. "
            "Restore the original file (git checkout data/source_ar.txt) before rebuilding."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"source text {path} is not valid UTF-8: {exc}") from exc
    return SourceText(path=path, sha256=digest, lines=tuple(text.split("\n")))
