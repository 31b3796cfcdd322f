"""Every UI string has its German translation, and the compiled catalog is current."""

from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "helpathon" / "locale"


def _entries(po_file: Path):
    """(flags, msgid, msgstr values) per entry of a .po file."""
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        current, parts = None, {}
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith("msg"):
                key, _, rest = line.partition(" ")
                current = key
                parts[current] = rest.strip().strip('"')
            elif current and line.startswith('"'):
                parts[current] += line.strip().strip('"')
        if "msgid" in parts:
            yield flags, parts["msgid"], [value for key, value in parts.items() if key.startswith("msgstr")]


def test_it_has_every_german_string_translated():
    entries = list(_entries(LOCALE / "de" / "LC_MESSAGES" / "django.po"))
    assert len(entries) > 200
    untranslated = [msgid for _flags, msgid, strs in entries if msgid and not all(strs)]
    fuzzy = [msgid for flags, msgid, _strs in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_it_uses_the_compiled_german_catalog():
    with translation.override("de"):
        assert translation.gettext("Challenges") == "Herausforderungen"
        assert translation.gettext("Sign In") == "Einloggen"
    with translation.override("en"):
        assert translation.gettext("Challenges") == "Challenges"
