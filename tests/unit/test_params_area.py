"""``load_params(spec, area=slug)``: one year file for every partnership (the batch run's way in)."""

import pytest

from ccsp_analysis.errors import ParamsError
from ccsp_analysis.params import load_params
from tests.unit.test_params import _project


def test_area_keyword_replaces_the_year_files_area(tmp_path):
    path = _project(tmp_path, "period: 2023-24\n")
    (path.parent / "areas" / "other.yaml").write_text(
        "name: Other\nslug: other\nla_code: E08000027\nlsoa_name_prefix: 'Other '\nforce: test-force\n")
    assert load_params(path).area.slug == "testarea"
    p = load_params(path, area="other")
    assert (p.area.slug, p.area.name, p.area.la_code) == ("other", "Other", "E08000027")
    assert p.period == "2023-24" and p.sources.police_uk == tmp_path / "data" / "street.csv"  # the rest as before


def test_area_keyword_names_a_missing_area_file(tmp_path):
    path = _project(tmp_path, "period: 2023-24\n")
    with pytest.raises(ParamsError, match=r"'atlantis'.*areas/atlantis.yaml does not exist"):
        load_params(path, area="atlantis")
