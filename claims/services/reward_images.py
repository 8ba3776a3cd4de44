"""A reward's picture: sniffed by its bytes (JPEG, PNG or WebP only, whatever the name says), limited in
size and pixels, and re-encoded as a plain JPEG (no metadata, no embedded anything) before it is stored."""

from __future__ import annotations

import io

from PIL import Image

from claims.blobs import BlobStore
from claims.db.reward_models import Reward
from claims.errors import InvalidInputError
from ocr.sniff import is_jpeg, is_png, is_webp

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIDE = 800


def reencode(data: bytes) -> bytes:
    """The picture as a JPEG at most 800 px on its longer side; InvalidInputError for anything else."""
    if len(data) > MAX_BYTES:
        raise InvalidInputError("the picture is larger than 5 MB", code="image_too_large")
    head = data[:64]
    if not (is_jpeg(head) or is_png(head) or is_webp(head)):
        raise InvalidInputError("send a JPEG, PNG or WebP picture", code="image_unsupported")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInputError("the picture has too many pixels", code="image_too_large")
            image.thumbnail((SIDE, SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise InvalidInputError("the picture cannot be read", code="image_unsupported") from exc
    return out.getvalue()


def set_image(session, blobs: BlobStore, reward: Reward, data: bytes) -> str:
    reward.image_sha256 = blobs.put(reencode(data), session)
    session.flush()
    return reward.image_sha256
