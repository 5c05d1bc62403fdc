"""Pixel sizes of images and their web-sized copies (Pillow). No MkDocs here.

A copy is made only for an image larger than ``WEB_IMAGE_MAX`` on its longest side, once per content:
it is kept in the cache folder under the SHA-256 of the original, so an unchanged image is never
scaled again and a changed one never reuses a stale copy.
"""

from __future__ import annotations

from pathlib import Path

from .model import Asset

# EXIF orientations that turn the picture a quarter: browsers and PDF viewers show it with sides swapped.
_QUARTER_TURNS = {5, 6, 7, 8}
_SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}


class ImageError(ValueError):
    """The file cannot be read as an image (the message says why)."""


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) as displayed; reads only the header. Raises :class:`ImageError`."""
    from PIL import Image, UnidentifiedImageError  # here: a build of an archive without images never needs it

    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageError(f"cannot be read as an image ({type(exc).__name__}); save it as PNG or JPEG") from None
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def web_copy(asset: Asset, source: Path, cache_dir: Path) -> Path:
    """The file to publish for ``asset``: ``source`` itself, or a copy scaled to ``asset.web_size``."""
    if asset.kind != "image" or not asset.scaled_for_web:
        return source
    suffix = Path(asset.name).suffix.lower()
    target = cache_dir / f"{asset.digest}-{asset.web_size[0]}x{asset.web_size[1]}{suffix}"
    if target.is_file():
        return target
    from PIL import Image, ImageOps

    cache_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        kind = image.format
        scaled = ImageOps.exif_transpose(image).resize(asset.web_size, Image.Resampling.LANCZOS)
        if kind == "JPEG" and scaled.mode not in ("RGB", "L"):
            scaled = scaled.convert("RGB")
        partial = target.with_name(target.name + ".part")
        scaled.save(partial, format=kind, **_SAVE_OPTIONS.get(kind, {}))
    partial.replace(target)  # a killed build never leaves half a copy under the final name
    return target
