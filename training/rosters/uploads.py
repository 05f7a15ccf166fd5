"""Uploaded rosters waiting, on the server, for the officer to confirm their preview.

The preview and the import are two requests. Sending the plan through the browser would let a
forged form write whatever it likes, and asking for the file again invites uploading another
one; so the file stays in the instance folder under a random name, with the uploader's id, the
options chosen and its SHA-256, until it is imported, replaced or an hour old. The confirming
request must come from the same person, in the same session, and the file must still hash to
what was stored; the plan is then made again from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class UploadOptions:
    filename: str
    unit_id: int | None
    deactivate_missing: bool
    encoding: str | None
    sheet: str | None


@dataclass(frozen=True)
class StoredUpload:
    upload_id: str
    owner_id: int
    stored_at: float
    sha256: str
    options: UploadOptions
    data: bytes


def _folder(where: str) -> Path:
    folder = Path(where)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def store(
    data: bytes, *, folder: str, owner_id: int, options: UploadOptions, max_age: float
) -> str:
    """Keep the file; old uploads of anyone are swept away on the way."""
    sweep(folder, max_age=max_age)
    where = _folder(folder)
    upload_id = secrets.token_urlsafe(24)
    meta = {
        "owner_id": owner_id,
        "stored_at": time.time(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "options": asdict(options),
    }
    _write_private(where / f"{upload_id}.bin", data)
    _write_private(where / f"{upload_id}.json", json.dumps(meta).encode())
    return upload_id


def load(upload_id: str, *, folder: str, owner_id: int, max_age: float) -> StoredUpload | None:
    """The upload, if it exists, is this person's, is fresh and is intact; None otherwise."""
    if not UPLOAD_ID.match(upload_id):
        return None
    where = _folder(folder)
    try:
        meta = json.loads((where / f"{upload_id}.json").read_bytes())
        data = (where / f"{upload_id}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if (
        meta.get("owner_id") != owner_id
        or time.time() - float(meta.get("stored_at", 0)) > max_age
        or hashlib.sha256(data).hexdigest() != meta.get("sha256")
    ):
        return None
    return StoredUpload(
        upload_id=upload_id,
        owner_id=owner_id,
        stored_at=float(meta["stored_at"]),
        sha256=meta["sha256"],
        options=UploadOptions(**meta["options"]),
        data=data,
    )


def discard(upload_id: str, *, folder: str) -> None:
    if not UPLOAD_ID.match(upload_id):
        return
    where = _folder(folder)
    for suffix in (".bin", ".json"):
        (where / f"{upload_id}{suffix}").unlink(missing_ok=True)


def sweep(folder: str, *, max_age: float) -> None:
    cutoff = time.time() - max_age
    for path in _folder(folder).iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # another worker swept it first
