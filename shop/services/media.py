"""Listing photos: uploads are decoded and re-encoded with Pillow before
anything is stored.

* Only JPEG, PNG and WebP are accepted, judged from the decoded content
  (never the file name or the browser's content type): a file that lies
  about its type is refused, and one that is not an image at all too.
* A size limit in bytes and in pixels: an image whose header promises more
  pixels than MAX_PIXELS (a decompression bomb) is refused before it is
  decoded.
* Every accepted photo is fully decoded and written anew as JPEG: metadata
  (EXIF, GPS, comments) is dropped and any other content riding along in the
  file (a polyglot) is gone.  Two sizes: a display image and a thumbnail.
* All photos of an upload are checked before any file is written, so one bad
  photo of several leaves nothing behind.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shop.services.errors import CheckoutError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7,700 x 5,200: larger than any camera photo a listing needs
MAX_PHOTOS = 8
DISPLAY_SIZE = (1200, 1200)
THUMB_SIZE = (320, 320)
JPEG_QUALITY = 85

# The only files /media serves, and the type each is served as.
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
CONTENT_TYPES[".svg"] = "image/svg+xml"  # the demo listings' drawings (seed/images.py), served under a sandbox CSP


class PhotoError(CheckoutError):
    """A photo that cannot be accepted; the message names it and says why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class EncodedPhoto:
    display: bytes
    thumb: bytes
    width: int
    height: int


@dataclass(frozen=True)
class StoredPhoto:
    display_path: str
    thumb_path: str
    width: int
    height: int


def content_type_for(filename: str) -> str | None:
    return CONTENT_TYPES.get(Path(filename).suffix.lower())


def _open(upload: Upload) -> Image.Image:
    name = upload.filename or "the photo"
    if len(upload.data) > MAX_BYTES:
        raise PhotoError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not upload.data:
        raise PhotoError(f"{name} is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload.data))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(f"{name} is a {image.format or 'unknown'} file: use a JPEG, PNG or WebP photo.")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(f"{name} is too large in pixels ({image.width} x {image.height}): refused.")
            image.load()  # decode everything now: a truncated or corrupt file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PhotoError(f"{name} is too large in pixels (a decompression bomb): refused.") from e
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise PhotoError(f"{name} is not a JPEG, PNG or WebP image we can read.") from e
    return image


def _jpeg(image: Image.Image, size: tuple[int, int]) -> bytes:
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: metadata dropped
    return out.getvalue()


def encode(upload: Upload) -> EncodedPhoto:
    """Decode, check and re-encode one upload (PhotoError when refused)."""
    image = _open(upload)
    image = ImageOps.exif_transpose(image) or image  # keep the photo upright once its EXIF is gone
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    display = _jpeg(image, DISPLAY_SIZE)
    with Image.open(io.BytesIO(display)) as shown:
        width, height = shown.size
    return EncodedPhoto(display, _jpeg(image, THUMB_SIZE), width, height)


def encode_all(uploads: list[Upload]) -> list[EncodedPhoto]:
    """Every upload checked and encoded, or PhotoError before anything is stored."""
    if len(uploads) > MAX_PHOTOS:
        raise PhotoError(f"Upload at most {MAX_PHOTOS} photos per listing.")
    return [encode(upload) for upload in uploads]


def store(media_dir: str | Path, listing_id: int, photos: list[EncodedPhoto]) -> list[StoredPhoto]:
    """Write encoded photos under MEDIA_DIR/photos/<listing>/ with unguessable names."""
    folder = Path(media_dir) / "photos" / str(listing_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for photo in photos:
        token = secrets.token_hex(8)
        (folder / f"{token}.jpg").write_bytes(photo.display)
        (folder / f"{token}-thumb.jpg").write_bytes(photo.thumb)
        rel = f"photos/{listing_id}/{token}"
        stored.append(StoredPhoto(f"{rel}.jpg", f"{rel}-thumb.jpg", photo.width, photo.height))
    return stored
