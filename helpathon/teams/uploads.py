"""Checking uploads before anything is stored: images are decoded and re-encoded by Pillow (so
only pixels pass, never a script or a polyglot), PDFs are parsed by pypdf and refused when they
carry JavaScript, launch actions or embedded files. Sizes are limited before decoding."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
# Keys that make a PDF do something rather than show something.
ACTIVE_PDF_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
                             "/XFA", "/SubmitForm", "/ImportData", "/GoToE"})


@dataclass
class CheckedImage:
    content: ContentFile
    width: int
    height: int


def _read_limited(upload, limit: int, too_big: str) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(too_big)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(too_big)
    return data


def check_image(upload) -> CheckedImage:
    """A re-encoded copy of an uploaded image (JPEG, PNG, WebP or GIF), or a ValidationError."""
    limit = settings.PROTOTYPE_IMAGE_MAX_BYTES
    data = _read_limited(upload, limit, _("An image may have at most %(n)d MB.") % {"n": limit // (1024 * 1024)})
    not_an_image = _("This file is not an image we can read (JPEG, PNG, WebP or GIF).")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
        if kind not in IMAGE_FORMATS:
            raise ValidationError(not_an_image)
        if width * height > settings.PROTOTYPE_IMAGE_MAX_PIXELS:
            raise ValidationError(_("This image has too many pixels; please make it smaller."))
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA" if "A" in image.getbands() or kind == "GIF" else "RGB")
            out = io.BytesIO()
            extension = IMAGE_FORMATS[kind]
            pixels = image.convert("RGB") if extension == "jpg" else image
            # Only pixels pass: Pillow would write back some of the upload's metadata (a JPEG's
            # comment, an ICC profile), which can carry text such as a script.
            pixels.info = {k: v for k, v in pixels.info.items() if k == "transparency" and isinstance(v, (int, tuple))}
            if extension == "jpg":
                pixels.save(out, format="JPEG", quality=88, optimize=True)
            else:
                pixels.save(out, format="PNG" if extension == "png" else "WEBP")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(not_an_image) from None
    return CheckedImage(ContentFile(out.getvalue(), name=f"image.{extension}"), width, height)


def check_pdf(upload) -> ContentFile:
    """The uploaded PDF as it is, if it is a PDF that only shows pages; else a ValidationError."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    limit = settings.PROTOTYPE_PDF_MAX_BYTES
    data = _read_limited(upload, limit, _("A PDF may have at most %(n)d MB.") % {"n": limit // (1024 * 1024)})
    not_a_pdf = _("This file is not a PDF we can read.")
    if not data.startswith(b"%PDF-"):
        raise ValidationError(not_a_pdf)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Please upload a PDF without a password."))
        if _has_active_content(reader.trailer):
            raise ValidationError(_("This PDF contains scripts or embedded files; please export it again as plain slides."))
        if len(reader.pages) == 0:
            raise ValidationError(not_a_pdf)
    except ValidationError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, RecursionError, AttributeError):
        raise ValidationError(not_a_pdf) from None
    return ContentFile(data, name="pitch.pdf")


def _has_active_content(root, *, limit: int = 200_000) -> bool:
    """Walk every object reachable from the trailer (compressed object streams included, as
    pypdf decodes them) and look for keys that run something."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen, stack, steps = set(), [root], 0
    while stack:
        steps += 1
        if steps > limit:
            return True  # too deep to be plain slides; refuse rather than guess
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if ACTIVE_PDF_KEYS & set(item.keys()):
                return True
            if item.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm"):
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False
