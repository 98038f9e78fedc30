"""Storing and reading private files, always through the named private storage."""

import hashlib
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from .models import StoredFile
from .validation import safe_file_name, validate_upload


def private_storage():
    return storages["private"]


def _sha256(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def _store(*, fileobj, name, mime, size, owner, created_by):
    file_id = uuid.uuid4()
    storage_name = private_storage().save(f"{file_id.hex[:2]}/{file_id.hex}", fileobj)
    stored = StoredFile.objects.create(
        id=file_id, storage_name=storage_name, original_name=name, content_type=mime,
        size=size, sha256=_sha256(fileobj), created_by=created_by,
        owner_type=ContentType.objects.get_for_model(owner) if owner is not None else None,
        owner_id=str(owner.pk) if owner is not None else "",
    )
    return stored


def store_upload(*, uploaded, owner=None, created_by=None, max_bytes=None) -> StoredFile:
    """Validate an uploaded file by its content and keep it privately."""
    mime = validate_upload(uploaded, max_bytes=max_bytes)
    return _store(fileobj=uploaded, name=safe_file_name(uploaded.name, mime), mime=mime,
                  size=uploaded.size, owner=owner, created_by=created_by)


def store_generated(*, content: bytes, name: str, mime: str, owner=None, created_by=None):
    """Keep a document the portal produced (a PDF receipt, a letter)."""
    return _store(fileobj=ContentFile(content), name=name, mime=mime, size=len(content),
                  owner=owner, created_by=created_by)


def open_stored(stored: StoredFile):
    return private_storage().open(stored.storage_name, "rb")


def read_stored_files(ids):
    result = []
    for stored in StoredFile.objects.filter(pk__in=ids):
        with open_stored(stored) as handle:
            result.append((stored.original_name, handle.read(), stored.content_type))
    return result
