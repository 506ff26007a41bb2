"""The force index's rows, from small made-up results; every expected value is worked out by hand here."""

from types import SimpleNamespace

import pandas as pd

from ccsp_analysis.force_index import (
    SOURCE_PARTNER,
    SOURCE_POLICE_UK,
    area_summary,
    exception_count,
    force_table,
)
from ccsp_analysis.result import ExceptionReport, SectionResult


def _results(changes: list[tuple], rates: list[tuple] | None = None) -> dict:
    kf = SectionResult()
    kf.tables["changes"] = pd.DataFrame(changes, columns=["measure", "label", "current", "previous", "pct_change",
                                                          "direction"])
    out = {"01_key_findings": kf}
    if rates is not None:
        cp = SectionResult()
        cp.tables["rates"] = pd.DataFrame(rates, columns=["ward_code", "ward_name", "population", "crimes", "rate",
                                                          "rate_low", "rate_high"])
        out["02_city_profile"] = cp
    return out


def _exceptions(changes: int, signals: list[int]) -> ExceptionReport:
    return ExceptionReport(pd.DataFrame({"label": [f"m{i}" for i in range(changes)]}),
                           pd.DataFrame({"label": [f"s{i}" for i in range(len(signals))], "signals": signals}))


def _mix(results: dict, mix: list[tuple]) -> dict:
    """Add the key findings' offence mix (police.uk data): (police.uk type, crimes this year), ranked."""
    results["01_key_findings"].tables["offence_mix"] = pd.DataFrame(
        [(i + 1, o, c) for i, (o, c) in enumerate(mix)], columns=["rank", "offence", "current"])
    return results


DUDLEY = _results(
    [("trc", "Total recorded crime", 1200, 1000, 20.0, "UP"),
     ("asb", "Anti-social behaviour (police-recorded)", 340, 400, -15.0, "DOWN"),
     ("shoplifting", "Shoplifting", 150, 120, 25.0, "UP"),
     ("acquisitive", "Acquisitive crime", 410, 380, 7.894736842105263, "STABLE"),
     ("domestic_abuse", "Domestic abuse", None, None, None, None)],  # a grouping this source cannot give
    rates=[("E05000001", "Ward A", 1000.0, 50, 50.0, 37.1, 65.9),
           ("E08000027", "Dudley", 24000.0, 1200, 50.0, 47.21, 52.91)],
)
_mix(DUDLEY, [("Violence and sexual offences", 430), ("Shoplifting", 150), ("Burglary", 90)])


def test_area_summary_reads_each_figure_from_its_table():
    s = area_summary(DUDLEY, _exceptions(2, [0, 3, 1]), la_code="E08000027", partner_crimes=False)
    assert s == {
        "trc": 1200, "previous": 1000, "pct_change": 20.0, "direction": "UP", "asb": 340,
        # the offence mix's police.uk types, not the groupings (acquisitive 410 contains shoplifting)
        "largest_group": "Violence and sexual offences", "largest_count": 430,
        # the area's row of the rate table (its la_code), not the ward's
        "rate": 50.0, "rate_low": 47.21, "rate_high": 52.91,
        "exceptions": 4,  # 2 significant changes + 2 measures with a signal (3 and 1; the 0 is quiet)
        "source": SOURCE_POLICE_UK,
    }
    assert all(type(v) in (int, float, str) for v in s.values())  # plain values: picklable and JSON-ready


def test_area_summary_ties_and_missing_sections():
    tied = _results([("trc", "Total recorded crime", 10, 10, 0.0, "STABLE"),
                     ("vehicle", "Vehicle crime", 4, 2, 100.0, "STABLE"),
                     ("drugs", "Drugs", 4, 1, 300.0, "STABLE")])
    audit = SectionResult()  # a partner extract: its offences under police.uk types, alphabetical as the audit has them
    audit.tables["police_vs_partner"] = pd.DataFrame(
        [("Drugs", 4, 4, 0), ("Robbery", 3, 2, -1), ("Vehicle crime", 3, 4, 1)],
        columns=["category", "police_uk", "partner_extract", "difference"])
    tied["00_data_audit"] = audit
    s = area_summary(tied, None, la_code="E08000027", partner_crimes=True)
    # the partner extract's counts (Drugs 4, Vehicle crime 4), not police.uk's; the first of the equal largest
    assert (s["largest_group"], s["largest_count"]) == ("Drugs", 4)
    # no offence table at all: no largest type (the change table's groupings are not used)
    assert area_summary(_results([("trc", "Total recorded crime", 10, 10, 0.0, "STABLE"),
                                  ("vehicle", "Vehicle crime", 4, 2, 100.0, "STABLE")]),
                        None, la_code="E08000027", partner_crimes=True)["largest_group"] is None
    assert s["rate"] is None and s["asb"] is None and s["exceptions"] is None  # no city profile, no ASB row
    assert s["source"] == SOURCE_PARTNER
    assert area_summary({}, None, la_code="E08000027", partner_crimes=True)["trc"] is None


def test_exception_count():
    assert exception_count(_exceptions(0, [])) == 0
    assert exception_count(_exceptions(3, [2, 0])) == 4
    assert exception_count(SimpleNamespace(changes=pd.DataFrame({"label": ["a"]}), signals=pd.DataFrame())) == 1


def test_force_table_rows_in_name_order_with_failures():
    dudley = area_summary(DUDLEY, _exceptions(2, [0, 3, 1]), la_code="E08000027", partner_crimes=False)
    coventry = {"trc": 38508, "previous": 42834, "pct_change": -10.0994537050007, "direction": "DOWN", "asb": 12260,
                "largest_group": "Acquisitive crime", "largest_count": 15000, "rate": 106.75907956750761,
                "rate_low": 105.6954127253381, "rate_high": 107.83078438099515, "exceptions": 12,
                "source": SOURCE_PARTNER}
    table = force_table([
        {"slug": "dudley", "name": "Dudley", "href": "../../dudley/2023-24/index.html", "status": "ok",
         "error": None, "figures": dudley},
        {"slug": "walsall", "name": "Walsall", "href": None, "status": "failed",
         "error": "no small areas of E08000030 in the lookup", "figures": None},
        {"slug": "coventry", "name": "Coventry", "href": "../../coventry/2023-24/index.html", "status": "ok",
         "error": None, "figures": coventry},
    ])
    assert list(table["slug"]) == ["coventry", "dudley", "walsall"]  # by name
    cov, dud, wal = (table.iloc[i].to_dict() for i in range(3))
    # Coventry: 38,508; rate 106.76 -> 106.8 (105.70 -> 105.7 to 107.83 -> 107.8); -10.099% -> -10.1%
    assert cov["trc_text"] == "38,508" and cov["rate_text"] == "106.8 (105.7 to 107.8)"
    assert cov["change_text"] == "-10.1% on 42,834" and cov["direction_text"] == "▼ down"
    assert cov["asb_text"] == "12,260" and cov["largest_text"] == "Acquisitive crime (15,000)"
    assert cov["exceptions_text"] == "12" and cov["source"] == SOURCE_PARTNER
    # Dudley: 1,200 on 1,000 is +20.0%; rate 50.0 (47.21 -> 47.2 to 52.91 -> 52.9)
    assert dud["trc_text"] == "1,200" and dud["change_text"] == "+20.0% on 1,000" and dud["direction_text"] == "▲ up"
    assert dud["rate_text"] == "50.0 (47.2 to 52.9)" and dud["largest_text"] == "Violence and sexual offences (430)"
    assert dud["exceptions_text"] == "4" and dud["source"] == SOURCE_POLICE_UK and dud["trc"] == 1200
    # Walsall failed: its error, no link, a dash for every figure
    assert wal["status"] == "failed" and wal["href"] is None and wal["error"].startswith("no small areas")
    assert {wal[k] for k in ("trc_text", "rate_text", "change_text", "direction_text", "asb_text", "largest_text",
                             "exceptions_text")} == {"–"}


def test_force_table_stable_and_zero_change():
    fig = {"trc": 10, "previous": 10, "pct_change": 0.0, "direction": "STABLE", "asb": 0, "largest_group": None,
           "largest_count": None, "rate": 2.0, "rate_low": None, "rate_high": None, "exceptions": 0, "source": "x"}
    row = force_table([{"slug": "a", "name": "A", "href": "a.html", "status": "ok", "figures": fig}]).iloc[0]
    assert row["change_text"] == "0.0% on 10" and row["direction_text"] == "no significant change"
    assert row["rate_text"] == "2.0" and row["largest_text"] == "–" and row["asb_text"] == "0"
    assert row["exceptions_text"] == "0"
