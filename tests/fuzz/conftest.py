import pytest

from tests.fuzz.world import build_world


@pytest.fixture
def world(edition, organizer, participant, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world(edition, organizer, participant, django_capture_on_commit_callbacks)


def pytest_sessionfinish(session):
    """Write how many inputs each fuzzer tried (for the README's "inputs tried"):
    test-artifacts/bad-input/<xdist worker>.json; sum the files of one run."""
    import json
    import os
    import sys
    from pathlib import Path

    counts = {}
    for name, attribute in (("tests.fuzz.test_api_schema", "TRIED"), ("tests.fuzz.test_forms", "TRIED")):
        module = sys.modules.get(name)
        if module is not None:
            counts[name.rsplit(".", 1)[1]] = dict(getattr(module, attribute))
    if not any(counts.values()):
        return
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "bad-input"
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (folder / f"{worker}.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
