"""The shipped copy of the published figures matches the transcription in ../shared/reference."""

import yaml


def test_reference_copy_matches_shared(root, published):
    shipped = yaml.safe_load((root / "reference" / "coventry_published_figures.yaml").read_text())
    assert shipped == published
