"""The shipped copy of the published figures matches the transcription in ../shared/reference."""

import yaml


def test_reference_copy_matches_shared(root):
    import pytest

    shared = root.parent / "shared" / "reference" / "published_figures.yaml"
    if not shared.is_file():
        pytest.skip(f"no shared transcription at {shared} to compare the shipped copy with")
    published = yaml.safe_load(shared.read_text())
    shipped = yaml.safe_load((root / "reference" / "coventry_published_figures.yaml").read_text())
    assert shipped == published
