"""File plumbing shared by the exports: reproducible ZIP members and file checksums."""

import hashlib
import shutil
import zipfile
from pathlib import Path

# Same data, same bytes: every member gets this date, Unix mode 0644 and DEFLATE.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Members this large need the ZIP64 extension, which must be asked for before writing.
ZIP64_FROM = 2**31 - 2**20


def zip_info(name: str) -> zipfile.ZipInfo:
    """A member header that depends only on its name."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def zip_write(path: Path, members: list[tuple[str, Path | bytes]]) -> None:
    """A ZIP whose bytes depend only on its members (names, contents, order)."""
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
    ) as archive:
        for name, content in members:
            if isinstance(content, bytes):
                archive.writestr(zip_info(name), content)
                continue
            large = content.stat().st_size >= ZIP64_FROM
            with (
                content.open("rb") as src,
                archive.open(zip_info(name), "w", force_zip64=large) as dst,
            ):
                shutil.copyfileobj(src, dst, 1 << 20)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
