"""Checking uploads: images are decoded and re-encoded (only pixels pass), PDFs are parsed and
refused when they could run something. First the pure checks (`teams.uploads`), then through
the services that store what passed (`image_add`, `pitch_pdf_set`)."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from helpathon.editions.services import phase_set
from helpathon.teams import services, uploads
from helpathon.teams.models import Prototype, PrototypeImage

SCRIPT = b"<script>alert(1)</script>"


# --- helpers -----------------------------------------------------------------------------------


def upload(data: bytes, name: str = "file.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def picture(fmt: str, size=(40, 30), mode="RGB", **options) -> bytes:
    image = Image.new(mode, size, (200, 10, 10) if mode == "RGB" else 1)
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def decoded(checked: uploads.CheckedImage) -> Image.Image:
    checked.content.seek(0)
    image = Image.open(io.BytesIO(checked.content.read()))
    image.load()
    return image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")
    )


def pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action_js(writer: PdfWriter) -> None:
    action = DictionaryObject({
        NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)"),
    })
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def refusal(check, data: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as refused:
        check(upload(data, name))
    return refused.value.messages[0]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


# --- images: what passes -------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "png")])
def test_it_re_encodes_a_real_image(fmt, extension):
    checked = uploads.check_image(upload(picture(fmt), f"photo.{fmt.lower()}"))

    image = decoded(checked)
    assert checked.content.name == f"image.{extension}"
    assert (checked.width, checked.height) == image.size == (40, 30)
    assert image.format == {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[extension]


def test_it_drops_exif_and_comments_from_a_jpeg():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # the camera's maker
    original = picture("JPEG", exif=exif, comment=SCRIPT)
    assert b"SecretCam" in original and SCRIPT in original

    checked = uploads.check_image(upload(original, "photo.jpg"))

    data = checked.content.read()
    assert b"SecretCam" not in data and b"<script" not in data
    image = decoded(checked)
    assert not image.getexif() and "comment" not in image.info


def test_it_drops_text_chunks_from_a_png():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())

    checked = uploads.check_image(upload(picture("PNG", pnginfo=info)))

    assert b"<script" not in checked.content.read()
    assert decoded(checked).info == {}


def test_it_passes_only_the_pixels_of_a_gif_polyglot():
    polyglot = picture("GIF") + SCRIPT

    checked = uploads.check_image(upload(polyglot, "polyglot.gif"))

    assert b"<script" not in checked.content.read()
    assert decoded(checked).size == (40, 30)


# --- images: what is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"#!/bin/sh\nrm -rf ~\n", "script.png"),
        (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "page.html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', "x.svg"),
        (picture("PNG")[:60], "truncated.png"),
        (b"", "empty.png"),
    ],
    ids=["script-renamed", "html", "svg", "truncated-png", "empty"],
)
def test_it_refuses_what_is_not_a_raster_image(data, name):
    assert "not an image we can read" in refusal(uploads.check_image, data, name)


def test_it_refuses_a_png_claiming_50000_by_50000_pixels():
    assert refusal(uploads.check_image, png_claiming(50_000, 50_000), "bomb.png")


def test_it_refuses_more_pixels_than_the_limit(settings):
    settings.PROTOTYPE_IMAGE_MAX_PIXELS = 1000

    assert "too many pixels" in refusal(uploads.check_image, picture("PNG", size=(40, 30)), "big.png")


def test_it_refuses_an_over_size_image_before_decoding(settings):
    settings.PROTOTYPE_IMAGE_MAX_BYTES = 1024
    # Not an image at all: the size is what it is refused for, so nothing was decoded.
    assert "at most" in refusal(uploads.check_image, b"x" * 1025, "large.png")


def test_it_accepts_an_image_of_exactly_the_limit(settings):
    data = picture("PNG")
    settings.PROTOTYPE_IMAGE_MAX_BYTES = len(data)

    assert uploads.check_image(upload(data)).width == 40


# --- PDFs ----------------------------------------------------------------------------------------


def test_it_accepts_a_plain_pdf():
    data = pdf()

    checked = uploads.check_pdf(upload(data, "slides.pdf"))

    assert checked.read() == data
    assert checked.name == "pitch.pdf"


@pytest.mark.parametrize(
    "change",
    [
        lambda writer: writer.add_open_action(JavaScript("app.alert(1)")),
        lambda writer: writer.add_attachment("payload.exe", b"MZ\x90\x00"),
        open_action_js,
    ],
    ids=["javascript", "embedded-file", "open-action-javascript"],
)
def test_it_refuses_a_pdf_that_runs_or_carries_something(change):
    assert "scripts or embedded files" in refusal(uploads.check_pdf, pdf(change), "slides.pdf")


def test_it_refuses_an_encrypted_pdf():
    encrypted = pdf(lambda writer: writer.encrypt("geheim"))

    assert "without a password" in refusal(uploads.check_pdf, encrypted, "slides.pdf")


@pytest.mark.parametrize(
    "data", [b"Hello, this is text.", picture("PNG"), pdf()[:150]], ids=["text", "png", "broken-pdf"]
)
def test_it_refuses_what_is_not_a_readable_pdf(data):
    assert "not a PDF we can read" in refusal(uploads.check_pdf, data, "slides.pdf")


def test_it_refuses_an_over_size_pdf(settings):
    data = pdf()
    settings.PROTOTYPE_PDF_MAX_BYTES = len(data) - 1

    assert "at most" in refusal(uploads.check_pdf, data, "slides.pdf")


# --- through the services ------------------------------------------------------------------------


@pytest.fixture
def prototyping_team(team, edition, organizer, participant):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="prototyping"))
    team = type(team).objects.get(pk=team.pk)
    return team


def lead(participant):
    return type(participant).objects.get(pk=participant.pk)


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_it_stores_a_checked_image_under_a_name_of_ours(prototyping_team, participant, settings):
    image = services.image_add(
        actor=lead(participant), team=prototyping_team, upload=upload(picture("JPEG"), "../../etc/passwd.jpg"),
        alt="A map of the neighbourhood",
    )

    stored = Path(settings.MEDIA_ROOT) / image.image.name
    assert stored.is_file() and stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert image.image.name.startswith(f"prototypes/{image.prototype_id}/") and image.image.name.endswith(".jpg")
    assert "passwd" not in image.image.name
    assert Image.open(stored).format == "JPEG"
    assert (image.width, image.height, image.alt) == (40, 30, "A map of the neighbourhood")


@pytest.mark.django_db
def test_it_stores_nothing_for_a_refused_image(prototyping_team, participant, settings):
    with pytest.raises(ValidationError) as refused:
        services.image_add(actor=lead(participant), team=prototyping_team, upload=upload(SCRIPT, "x.png"), alt="Bild")

    assert "image" in refused.value.message_dict
    assert not PrototypeImage.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_it_stores_the_pitch_pdf_and_replaces_the_old_one(prototyping_team, participant, settings):
    first = services.pitch_pdf_set(actor=lead(participant), team=prototyping_team, upload=upload(pdf(), "a.pdf"))
    first_name = first.pitch_pdf.name

    second = services.pitch_pdf_set(actor=lead(participant), team=prototyping_team, upload=upload(pdf(), "b.pdf"))

    assert Prototype.objects.get(pk=second.pk).pitch_pdf.name == second.pitch_pdf.name != first_name
    assert [p.name for p in stored_files(settings)] == [Path(second.pitch_pdf.name).name]


@pytest.mark.django_db
def test_it_stores_no_pdf_with_javascript(prototyping_team, participant, settings):
    with pytest.raises(ValidationError) as refused:
        services.pitch_pdf_set(actor=lead(participant), team=prototyping_team, upload=upload(pdf(open_action_js), "a.pdf"))

    assert "pitch_pdf" in refused.value.message_dict
    assert Prototype.objects.get(team=prototyping_team).pitch_pdf.name in ("", None)
    assert stored_files(settings) == []



def test_a_truncated_image_is_refused_also_after_a_pdf_was_printed(db):
    # Importing WeasyPrint switches Pillow to accept truncated images process-wide; printing a
    # PDF in the same process must not weaken the upload check.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    from helpathon.pdf import render_pdf

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as the first import of WeasyPrint in a process leaves it
    assert render_pdf("registrations/email/confirmed_subject.txt", {}).startswith(b"%PDF")

    assert refusal(uploads.check_image, picture("PNG")[:60], "truncated.png")
