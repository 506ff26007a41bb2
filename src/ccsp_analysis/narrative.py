"""One number format and the standard sentences the reports use to describe results."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ccsp_analysis.errors import NarrativeError
from ccsp_analysis.formatting import (
    auto_decimals,
    decimals_written,
    fmt_count,
    fmt_list,
    fmt_number,
    fmt_pct,
    fmt_rate,
    half_up,
    month_ranges,
    point_name,
)
from ccsp_analysis.stats import Concentration, signals
from ccsp_analysis.stats.spc import NEAR_COUNT, NEAR_WINDOW
from ccsp_analysis.taxonomy import EXTRACTS, NEEDS, Need

if TYPE_CHECKING:
    from ccsp_analysis.stats import CountComparison

__all__ = [
    "NarrativeError",
    "auto_decimals",
    "change_sentence",
    "difference_phrase",
    "direction_word",
    "fmt_count",
    "fmt_list",
    "fmt_number",
    "fmt_pct",
    "fmt_rate",
    "decimals_written",
    "half_up",
    "rank_sentence",
    "share_sentence",
    "significance_phrase",
]

_DIRECTION_WORDS = {"UP": "upward", "DOWN": "downward", "STABLE": "stable"}


def direction_word(direction: str) -> str:
    """The report's word for a direction of travel: UP/DOWN/STABLE -> upward/downward/stable."""
    if direction not in _DIRECTION_WORDS:
        raise NarrativeError(f"direction must be one of UP, DOWN, STABLE, got {direction!r}")
    return _DIRECTION_WORDS[direction]


def difference_phrase(change: CountComparison | int, noun: str = "") -> str:
    """Counts-based wording: "4,326 fewer", "795 more" or "no change" (optionally + noun).

    Parameters
    ----------
    change
        A :class:`~ccsp_analysis.stats.CountComparison` or a signed difference.
    noun
        Appended after the number, e.g. ``"offences"`` gives "4,326 fewer offences".
    """
    diff = change if isinstance(change, numbers.Integral) else change.abs_change
    if diff == 0:
        return "no change"
    words = f"{fmt_count(abs(diff))} {'more' if diff > 0 else 'fewer'}"
    return f"{words} {noun}" if noun else words


def significance_phrase(result: CountComparison) -> str:
    """ "a statistically significant increase/decrease" or "no statistically significant change"."""
    if result.direction == "STABLE":
        return "no statistically significant change"
    change = "increase" if result.direction == "UP" else "decrease"
    if (result.abs_change > 0) != (result.direction == "UP"):  # only with unequal exposure
        return f"a statistically significant {change} in the rate once exposure is allowed for"
    return f"a statistically significant {change}"


def change_sentence(label: str, result: CountComparison) -> str:
    """One sentence for a year-on-year comparison from :func:`ccsp_analysis.stats.compare_counts`.

    Examples
    --------
    "Total recorded crime fell by 10.1% (38,508 against 42,834), a statistically significant
    decrease." A previous count of 0 gives "... rose to 5, up from none, ..."; equal counts
    "... was unchanged (...)"; a change that rounds to 0.0% "... by less than 0.1% ...".
    """
    significance = significance_phrase(result)
    current, previous = fmt_count(result.current), fmt_count(result.previous)
    if result.previous == 0 and result.current == 0:
        return f"{label}: none recorded in either period, {significance}."
    if result.previous == 0:
        return f"{label} rose to {current}, up from none, {significance}."
    if result.abs_change == 0:
        return f"{label} was unchanged ({current} against {previous}), {significance}."
    verb = "rose" if result.abs_change > 0 else "fell"
    size = fmt_pct(abs(result.pct_change))
    if size == fmt_pct(0):
        size = "less than " + fmt_pct(10**-1)
    return f"{label} {verb} by {size} ({current} against {previous}), {significance}."


def not_compared_sentence(label: str, current: int, previous: int, missing: str) -> str:
    """A comparison the data cannot support: both counts, and why no change is reported.

    e.g. "Total recorded crime: 0 this period against 38,508 in the comparison period; no change is
    reported because the data miss months (recorded crime: April 2024 to March 2025)."
    """
    return (f"{label}: {fmt_count(current)} this period against {fmt_count(previous)} in the comparison period; "
            f"no change is reported because the data miss months ({missing}).")


def share_sentence(label: str, part: int, whole: int, base_label: str) -> str:
    """ "Shoplifting accounted for 10.1% of total recorded crime (3,890 of 38,508)."."""
    if part < 0 or whole < 0 or part > whole:
        raise NarrativeError(f"share needs 0 <= part <= whole, got part={part!r}, whole={whole!r}")
    if whole == 0:
        return f"{label}: no {base_label} was recorded, so there is no share to report."
    share = fmt_pct(part / whole * 100)
    return (
        f"{label} accounted for {share} of {base_label} ({fmt_count(part)} of {fmt_count(whole)})."
    )


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_sentence(
    label: str, rank: int, n: int, measure: str = "rate", group: str = "the group"
) -> str:
    """Place an area in a ranking where rank 1 is the lowest value.

    e.g. ``rank_sentence("Coventry", 1, 15, "crime rate", "its Most Similar Group")`` gives
    "Coventry had the lowest crime rate of the 15 areas in its Most Similar Group."
    """
    if not 1 <= rank <= n:
        raise NarrativeError(f"rank must be between 1 and n ({n}), got {rank!r}")
    if rank == 1:
        place = "the lowest"
    elif rank == n:
        place = "the highest"
    elif rank <= (n + 1) // 2:
        place = f"the {_ordinal(rank)} lowest"
    else:
        place = f"the {_ordinal(n - rank + 1)} highest"
    return f"{label} had {place} {measure} of the {n} areas in {group}."


def _pair(value: float, reference: float, decimals: int) -> str:
    """'412 against 398', with one more decimal place while the two would look equal."""
    while decimals < 3 and fmt_number(value, decimals) == fmt_number(reference, decimals):
        decimals += 1
    return f"{fmt_number(value, decimals)} against {fmt_number(reference, decimals)}"


def spc_exceptions(chart: pd.DataFrame, label: str = "") -> list[str]:
    """Plain-English sentences for every rule breach in a control chart frame (``stats.control_chart``).

    Parameters
    ----------
    chart
        The frame returned by :func:`ccsp_analysis.stats.control_chart`.
    label
        Optional prefix naming the series, e.g. ``"Total recorded crime"``.

    Returns
    -------
    list of str
        In time order, e.g. ``"March 2024 was above the upper control limit (412 against 398)"``.
        Dates come from the index when it is a DatetimeIndex or monthly PeriodIndex.
    """
    found = signals(chart)
    if not found:
        return []
    values = chart["value"].to_numpy(dtype=float)
    centre = float(chart["centre"].iloc[0])
    decimals = auto_decimals(values)
    when = [point_name(chart.index, i) for i in range(len(chart))]
    out = []
    for s in found:
        first, last = when[s.points[0]], when[s.points[-1]]
        if s.rule == "outside_limits":
            side = "above the upper" if s.side > 0 else "below the lower"
            out.append(f"{first} was {side} control limit ({_pair(s.value, s.reference, decimals)})")
        elif s.rule == "run":
            where = "above" if s.side > 0 else "below"
            out.append(f"{len(s.points)} points in a row from {first} to {last} "
                       f"were {where} the average ({fmt_number(centre, decimals + 1)})")
        elif s.rule == "trend":
            way = ("higher", "rising") if s.side > 0 else ("lower", "falling")
            out.append(f"{len(s.points)} points in a row from {first} to {last} "
                       f"were each {way[0]} than the one before (a {way[1]} trend)")
        else:
            name = "upper" if s.side > 0 else "lower"
            out.append(f"{fmt_list([when[i] for i in s.points])} were close to the {name} control limit "
                       f"({NEAR_COUNT} or more of {NEAR_WINDOW} consecutive points beyond two sigma)")
    prefix = f"{label}: " if label else ""
    return [prefix + text for text in out]


def concentration_statement(result: Concentration, areas: str = "areas", measure: str = "recorded crime") -> str:
    """The concentration sentence, e.g. "The top 22.2% of areas (4 of 18) hold 41.3% of recorded crime."."""
    if result.crime_share is None:
        return f"There is no {measure} in any of the {fmt_count(result.n_areas)} {areas}."
    return (f"The top {fmt_pct(result.area_share * 100)} of {areas} ({fmt_count(result.top_areas)} of "
            f"{fmt_count(result.n_areas)}) hold {fmt_pct(result.crime_share * 100)} of {measure}.")


def group_sentence(area: str, result, n_listed: int) -> str:
    """Where an area's rate sits in its most similar group (``stats.compare_with_group``).

    e.g. "Coventry's rate, 62.2 crimes per 1,000 residents, is the lowest of the 11 partnerships
    with a rate; it is within the range expected of the rest of the group (95% prediction
    interval 55.1 to 120.3)."
    """
    place = "the lowest" if result.rank == 1 else f"the {_ordinal(result.rank)} lowest"
    where = {"BELOW": "below the range expected of the rest of the group",
             "ABOVE": "above the range expected of the rest of the group",
             "WITHIN": "within the range expected of the rest of the group"}[result.position]
    return (f"{area}'s rate, {fmt_rate(result.value)} crimes per 1,000 residents, is {place} of the "
            f"{fmt_count(n_listed)} partnerships with a rate; it is {where} "
            f"({fmt_number(result.level * 100)}% prediction interval {fmt_rate(result.low)} to {fmt_rate(result.high)}).")


def group_average_sentence(area: str, result, decimals: int = 3) -> str:
    """The group average and the area's rank at the precision iQuanta publishes (``stats.compare_with_group``).

    e.g. "The most similar group average is 83.482 crimes per 1,000 residents (it includes Coventry);
    Coventry's rate, 62.176, ranks 1st of 15 partnerships, where 1st is the lowest rate."
    """
    return (f"The most similar group average is {fmt_number(result.mean_all, decimals)} crimes per 1,000 residents "
            f"(it includes {area}); {area}'s rate, {fmt_number(result.value, decimals)}, ranks "
            f"{_ordinal(result.rank)} of {fmt_count(result.n)} partnerships, where 1st is the lowest rate.")


def rate_change_sentence(label: str, current: float, previous: float, previous_year: str) -> str:
    """A percentage beside last year's, with no test, e.g. "Repeat victims: 9.3% of domestic abuse incidents, from 10.5% in 2014/15."."""
    return f"{label}: {fmt_pct(current)}, from {fmt_pct(previous)} in {previous_year}."


def count_from_sentence(label: str, current: int, previous: int, previous_year: str) -> str:
    """A count beside last year's, e.g. "Incidents with children present: 1,832, from 742 in 2014/15 (+146.9%)."."""
    change = None if previous == 0 else 100.0 * (current - previous) / previous
    pct = "" if change is None else f" ({'+' if change >= 0 else '-'}{fmt_pct(abs(change))})"
    return f"{label}: {fmt_count(current)}, from {fmt_count(previous)} in {previous_year}{pct}."


def money_sentence(items: Sequence[tuple[str, int]], year: str) -> str:
    """Funding totals, e.g. "Funding for 2016/17: PCC grant £409,728; carry over £82,750; allocations in total £492,478."."""
    return f"Funding for {year}: " + "; ".join(f"{label} £{fmt_count(v)}" for label, v in items) + "."


def signal_line(label: str, signals: Sequence, when: Sequence, verdict: str, first: int = 0) -> str:
    """One line per measure for reporting by exception, from ``stats.signals`` of its XmR chart.

    ``signals``: the signals touching the period; ``when``: each chart point's month; ``verdict``:
    'concerning', 'improving', 'mixed', 'a change to look at' or 'no signal'. Signals of one rule
    and side are told together, e.g. "Shoplifting: concerning — 10 months above the upper control
    limit (April 2023 to January 2024); 13 months in a row above the average (March 2023 to March 2024), 12 of
    them in the period."

    ``first``: the position of the period's first month in ``when``. Months before it are the baseline, not
    the period: months outside or close to a limit are counted only from ``first`` on, and a run or trend
    that began in the baseline says how many of its months are in the period.
    """
    if not signals:
        return f"{label}: no signal — the period's months vary within the control limits (common cause variation)."
    grouped: dict[tuple[str, int], list[int]] = {}
    spans = []
    for s in signals:
        if s.rule in ("outside_limits", "near_limit"):
            grouped.setdefault((s.rule, s.side), []).extend(s.points)
        else:
            spans.append(s)
    outside = {i for (rule, _), pts in grouped.items() if rule == "outside_limits" for i in pts}
    parts = []
    for (rule, side), pts in sorted(grouped.items(), key=lambda kv: (kv[0][0] != "outside_limits", -kv[0][1])):
        pts = sorted(i for i in set(pts) - (outside if rule == "near_limit" else set()) if i >= first)
        if not pts:
            continue
        where = ("above the upper" if side > 0 else "below the lower") if rule == "outside_limits" else \
            ("close to the upper" if side > 0 else "close to the lower")
        n = len(pts)
        parts.append(f"{n} month{'s' * (n != 1)} {where} control limit ({month_ranges([when[i] for i in pts])})")
    for s in spans:
        span = f"{when[s.points[0]]:%B %Y} to {when[s.points[-1]]:%B %Y}"
        up = s.side > 0
        inside = sum(1 for i in s.points if i >= first)
        span += "" if inside == len(s.points) else f", {inside} of them in the period"
        if s.rule == "run":
            parts.append(f"{len(s.points)} months in a row {'above' if up else 'below'} the average ({span})")
        else:
            parts.append(f"{len(s.points)} months in a row each {'higher' if up else 'lower'} than the one before ({span})")
    return f"{label}: {verdict} — " + "; ".join(parts) + "."


# ---------------------------------------------------------------- projection (stats.assess_projection)

if TYPE_CHECKING:
    from ccsp_analysis.stats import ProjectionAssessment


def _months_text(index: pd.Index) -> str:
    return f"{index[0].strftime('%B %Y')} to {index[-1].strftime('%B %Y')}"


def _limit_pct(value: float) -> str:
    """A threshold as a percentage with no needless decimals: 15.0 -> "15%", 12.5 -> "12.5%"."""
    value = round(float(value), 9)
    return fmt_pct(value, auto_decimals([value]))


def projection_sentence(assessment: ProjectionAssessment, label: str) -> str:
    """The projection of ``label`` in one sentence, or why there is none, from :func:`ccsp_analysis.stats.assess_projection`.

    Shown: "Total recorded crime: projected 40,456 from April 2024 to March 2025 (80% prediction
    interval 39,469 to 41,590), 5.1% more than the last 12 months (38,508); the same model fitted
    to April 2020 to March 2023 was out by 8.2% a month on average over the next 12 months and
    its 80% interval held 10 of them." A rise or fall is claimed only when the 95% prediction
    interval of the total leaves out the last 12 months' count; otherwise the projection is "in
    line with the last 12 months (38,508)".
    Not shown: "Total recorded crime: no projection, because a model fitted to April 2020 to March
    2023 missed the next 12 months by 32.3% on average (the limit is 15%) and its 80% interval
    held 0 of 12 months (at least 60% needed)." Or, when the series is too short to back-test:
    "... no projection, because testing one needs 48 months of counts (36 to fit the model and
    the 12 that follow to check it against) and only 36 are available."
    """
    a, bt = assessment, assessment.backtest
    n = a.horizon
    if "history" in a.failures or bt is None:
        return (f"{label}: no projection, because testing one needs {fmt_count(a.window + n)} months of "
                f"counts ({fmt_count(a.window)} to fit the model and the {fmt_count(n)} that follow to check "
                f"it against) and only {fmt_count(a.months_available)} are available.")
    fitted = f"{bt.fit_start.strftime('%B %Y')} to {bt.fit_end.strftime('%B %Y')}"
    if not a.passed:
        held = (f"its 80% interval held {fmt_count(bt.inside80)} of {fmt_count(n)} months (at least "
                f"{_limit_pct(a.min_coverage80 * 100)} needed)")
        if "mape" not in a.failures:
            why = (f"was out by only {fmt_pct(bt.mape)} a month on average over the next {fmt_count(n)} "
                   f"months, but {held}")
        else:
            why = (f"missed the next {fmt_count(n)} months by {fmt_pct(bt.mape)} on average (the limit is "
                   f"{_limit_pct(a.max_mape)})" if bt.mape is not None else
                   f"could not be scored in percentage terms, because each of the next {fmt_count(n)} "
                   "months was 0")
            if "coverage80" in a.failures:
                why += f" and {held}"
        return f"{label}: no projection, because a model fitted to {fitted} {why}."
    change = (a.total - a.last_total) / a.last_total * 100 if a.last_total > 0 else None
    if change is None:
        versus = f"against none in the last {fmt_count(n)} months"
    elif a.total_low95 <= a.last_total <= a.total_high95 or fmt_pct(abs(change)) == fmt_pct(0):
        # a rise or fall is claimed only when the 95% interval of the total leaves out the last year's
        versus = f"in line with the last {fmt_count(n)} months ({fmt_count(a.last_total)})"
    else:
        versus = (f"{fmt_pct(abs(change))} {'more' if change > 0 else 'fewer'} than the last {fmt_count(n)} "
                  f"months ({fmt_count(a.last_total)})")
    return (f"{label}: projected {fmt_count(a.total)} from {_months_text(a.projection.index)} (80% prediction "
            f"interval {fmt_count(a.total_low80)} to {fmt_count(a.total_high80)}), {versus}; the same model "
            f"fitted to {fitted} was out by {fmt_pct(bt.mape)} a month on average over the next "
            f"{fmt_count(n)} months and its 80% interval held {fmt_count(bt.inside80)} of them.")


def peer_group_sentence(area: str, k: int, k_asked: int, characteristics: Sequence[str], candidates: int,
                        period: str) -> str:
    """What the computed peer group is (``stats.nearest_neighbours``), said as computed, not the Home Office's.

    e.g. "No most similar group was supplied, so ccsp-analysis computed one from public data for 2023-24: the
    15 local authority districts most like Coventry in population size (...) and deprivation (...), out of
    308 other districts in the ONS files supplied. Each characteristic is standardised across the districts
    and given equal weight (see the methods). It is not the Home Office's most similar group."
    """
    group = (f"the {fmt_count(k)} local authority districts most like {area}" if k == k_asked else
             f"the {fmt_count(k)} other local authority district{'s' if k != 1 else ''} in the files supplied "
             f"({fmt_count(k_asked)} are wanted), ordered by how like {area} they are")
    pool = f", out of {fmt_count(candidates)} other districts in the ONS files supplied" if k < candidates else ""
    return (f"No most similar group was supplied, so ccsp-analysis computed one from public data for {period}: "
            f"{group} in {fmt_list(characteristics)}{pool}. Each characteristic is standardised across the districts "
            "and given equal weight (see the methods). It is not the Home Office's most similar group.")


def peer_group_unavailable(area: str, reason: str) -> str:
    """No computed peer group: the reason in words."""
    return f"No most similar group was supplied, and none can be computed for {area} from the files supplied: {reason}."


def peer_data_sentence(with_data: int, k: int, area_has_data: bool, area: str) -> str:
    """How many of the computed group have police.uk crime data in the files supplied."""
    own = "" if area_has_data else f"; {area}'s own street-level crime is not in them"
    return (f"{fmt_count(with_data)} of the {fmt_count(k)} have police.uk street-level crime for the period in the "
            f"files supplied{own} (force-wide files hold their force's districts only; the national archive holds all). "
            "Rates here use police.uk street-level crime and Census 2021 usual residents for every district, "
            f"{area} included, so {area}'s rate may differ from its rate elsewhere in this report.")


def peer_comparison_sentence(area: str, result, with_data: int) -> str:
    """Where the area's rate sits among its computed neighbours (``stats.compare_with_group``)."""
    place = "the lowest" if result.rank == 1 else f"the {_ordinal(result.rank)} lowest"
    where = {"BELOW": "below", "ABOVE": "above", "WITHIN": "within"}[result.position]
    return (f"{area}'s rate, {fmt_rate(result.value)} crimes per 1,000 residents, is {place} of the "
            f"{fmt_count(result.n)} districts compared ({area} and the {fmt_count(with_data)} neighbours with crime data); "
            f"it is {where} the range expected of those neighbours "
            f"({fmt_number(result.level * 100)}% prediction interval {fmt_rate(result.low)} to {fmt_rate(result.high)}).")


def peer_not_compared(area: str, with_data: int, needed: int, area_has_data: bool) -> str:
    """Why the area's rate is not compared with its computed neighbours."""
    if not area_has_data:
        return (f"{area}'s rate is not compared with the group: the police.uk files supplied do not hold "
                f"{area}'s street-level crime for the period.")
    return (f"{area}'s rate is not compared with the group: only {fmt_count(with_data)} of its districts have "
            f"police.uk crime data in the files supplied, and at least {fmt_count(needed)} are needed; add their "
            "forces' street files (or the national archive) to compare.")


# ---------------------------------------------------------------- what a run without an input cannot show

def key_findings_notes(street: bool) -> dict[str, str]:
    """The key findings page's words about where its crimes come from, true of the run: ``street`` when the
    crimes are police.uk street-level crimes (no partner crime extract), else the extract's.

    Keys: ``top_offences``, ``acquisitive_parts`` (each table's introduction) and ``sources`` (the caveat).
    """
    caveat = ("Recorded crime reflects reporting and recording practice as well as crime; a change in recording "
              "can move a figure without any change in offending.")
    if street:
        return {
            "top_offences": "Every police.uk crime category, with its share of the year's crimes: the Home Office "
                            "offences need the partner crime extract, which this run does not have.",
            "acquisitive_parts": "Robbery, burglary, vehicle offences and theft, by police.uk crime category: each "
                                 "kind's share of acquisitive crime and its change on last year.",
            "sources": "Crimes: the data.police.uk street-level crimes, as no partner crime extract was supplied. "
                       "Figures that need the extract's offence codes or markers are left out, and the page says "
                       "which in one sentence each. ASB: police-recorded incidents. " + caveat,
        }
    return {
        "top_offences": "The Home Office offences recorded most often this year, with their share of total "
                        "recorded crime.",
        "acquisitive_parts": "Robbery, burglary, vehicle offences and theft, by Home Office offence group: each "
                             "kind's share of acquisitive crime and its change on last year.",
        "sources": "Crimes: the force's victim-level extract (Home Office offence codes and markers), checked "
                   "against the data.police.uk street-level files in the data audit. ASB: police-recorded "
                   "incidents. " + caveat,
    }


def small_areas_sentence(n_areas: int, area: str, synthetic: bool = False) -> str:
    """Which small areas the areas page counts, e.g. "The small areas on this page are the 203 small areas (LSOA
    2021) that the small-area lookup places in Coventry (sources.lsoa_ward_lookup)."; ``synthetic``: the lookup's
    small areas are made up (the demonstration data), so their number is not the ONS's."""
    said = (f"The small areas on this page are the {fmt_count(n_areas)} small areas (LSOA 2021) that the small-area "
            f"lookup places in {area} (sources.lsoa_ward_lookup)")
    if synthetic:
        said += ("; in the demonstration data they are made-up small areas, so their number is not the number of "
                 f"ONS small areas in {area}")
    return said + "."


def ward_map_text(has_map: bool) -> tuple[str, str]:
    """The areas page's heading and words for the ward map: ("Map of ward rates", ...) when ward boundaries were
    supplied; else no heading and one sentence saying a map needs the boundaries file."""
    if has_map:
        return "Map of ward rates", "Recorded crime per 1,000 residents by ward."
    return "", ("A map of the wards needs the ward boundaries file (sources.ward_boundaries), which this run does "
                "not have; the chart below ranks the wards' rates against the area's rate instead.")


#: A control chart's signal rule (``stats.RULES``) in words, as a reader sees it in the signal tables.
SIGNAL_RULE_WORDS = {"outside_limits": "outside the limits", "run": "a run of points on one side",
                     "trend": "a trend", "near_limit": "close to a limit"}


def signal_rule_words(rule: str) -> str:
    """A signal rule code (e.g. ``near_limit``) in words ("close to a limit")."""
    if rule not in SIGNAL_RULE_WORDS:
        raise NarrativeError(f"unknown signal rule {rule!r}; known: {', '.join(SIGNAL_RULE_WORDS)}")
    return SIGNAL_RULE_WORDS[rule]


#: What every page built on police.uk street data alone says about its crime figures.
STREET_LEVEL_NOTE = ("Crime figures here are police.uk street-level crimes (no partner crime extract was supplied): "
                     "they are published monthly with anonymised locations and differ from the force's recorded crime "
                     "(crimes with no location are left out, and later reclassifications are not always carried through).")


def needs_sentence(need: Need | str) -> str:
    """The one sentence a sub-section gives when its input was not supplied, from :data:`ccsp_analysis.taxonomy.NEEDS`.

    e.g. "Domestic abuse needs the partner crime extract (sources.partner_crimes, docs/data.md) with its
    domestic-abuse flag; it is not in police.uk data." ``need``: a :class:`~ccsp_analysis.taxonomy.Need` or
    a key of ``NEEDS``.
    """
    if isinstance(need, str):
        if need not in NEEDS:
            raise NarrativeError(f"unknown need {need!r}; known: {', '.join(sorted(NEEDS))}")
        need = NEEDS[need]
    extract = EXTRACTS[need.source]
    detail = f" {need.detail}" if need.detail else ""
    return f"{need.label} needs {extract.what} (sources.{need.source}, docs/data.md){detail}; {extract.absent}."


# -- threats and priorities ------------------------------------------------------------------

#: The reading of a control chart averaging too few a month to be read (``sections.priorities.xmr_status``).
CHART_TOO_FEW = "too few a month to read a chart"
_SIGNAL_WORDS = {CHART_TOO_FEW: "it averages too few a month in the period for its control chart to be read",
                 "concerning": "its control chart shows concerning signals in the period",
                 "improving": "its control chart shows improving signals in the period",
                 "mixed": "its control chart shows both concerning and improving signals in the period",
                 "no signal": "its control chart shows no signal in the period (common-cause variation)"}


def priority_evidence(row: dict, previous_label: str) -> str:
    """One or two sentences of evidence for a scored grouping, from its row of the scores table (the
    grouping's name and score stand beside it, so the sentences do not repeat them).

    e.g. "5,123 this year against 4,150 in 2022/23, a statistically significant rise of 23.4%. Its control
    chart shows concerning signals in the period; 38.2% of it was recorded in the top 20% of small areas;
    27.1% of survey respondents named it among their top three priorities."
    Analysis only: what the data show, never what to do.
    """
    current, prev = row["current"], row["previous"]
    direction, pct = row.get("direction"), row.get("pct_change")
    if direction in ("UP", "DOWN") and pct is not None and not pd.isna(pct):
        change = (f"a statistically significant {'rise' if direction == 'UP' else 'fall'} of "
                  f"{fmt_pct(abs(float(pct)))}")
    elif direction in ("UP", "DOWN"):
        change = f"a statistically significant {'rise' if direction == 'UP' else 'fall'} from none"
    elif direction == "STABLE":
        change = "no statistically significant change"
    else:
        change = "not compared, because the data miss months"
    first = f"{fmt_count(int(current))} this year against {fmt_count(int(prev))} in {previous_label}, {change}."
    parts = []
    reading = row.get("signals_reading")
    if reading in _SIGNAL_WORDS:
        parts.append(_SIGNAL_WORDS[reading])
    conc = row.get("concentration")
    if conc is not None and not pd.isna(conc):
        parts.append(f"{fmt_pct(float(conc))} of it was recorded in the top 20% of small areas")
    harm = row.get("harm")
    if harm is not None and not pd.isna(harm):
        parts.append(f"its mean harm weight is {fmt_number(float(harm), 1)} per crime")
    worry = row.get("concern")
    if worry is not None and not pd.isna(worry):
        parts.append(f"{fmt_pct(float(worry))} of survey respondents named it among their top three priorities")
    if not parts:
        return first
    second = "; ".join(parts)
    return f"{first} {second[0].upper()}{second[1:]}."


def priorities_summary(n: int, threats: Sequence[str], emerging: Sequence[str], period: str, *, harm: bool,
                       harm_file: str | None, survey: bool, withheld: int, compared: bool = True) -> list[str]:
    """The prioritisation's summary: what was scored on what, the threats, the emerging threats, and
    what is not included (harm without a weights file, concern without a survey, change over periods
    the data do not cover: ``compared`` False)."""
    criteria = (["volume"] + (["change on last year (with its significance)"] if compared else [])
                + ["control-chart signals", "concentration in the top small areas"] + (["harm"] if harm else [])
                + (["public concern"] if survey else []))
    out = [f"{fmt_count(n)} crime and anti-social behaviour groupings with data for {period} were scored on "
           f"{fmt_list(criteria)}, each scaled from 0 to 1 and weighted as the weights table shows."]
    if threats:
        out.append(f"The highest scores, the assessment's threats, are: {fmt_list(threats)}.")
    else:
        out.append("No grouping could be scored, so no threat is named.")
    if not compared:
        out.append("No change on last year is compared, because the data miss months: emerging threats rest on "
                   "control-chart signals alone.")
    if emerging:
        out.append("Emerging threats (" + ("a statistically significant rise or " if compared else "")
                   + "concerning control-chart signals while volume is still below the middle of the groupings): "
                   f"{fmt_list(emerging)}.")
    else:
        out.append("No grouping below the middle for volume had " + ("a statistically significant rise or " if compared
                                                                      else "") + "concerning control-chart "
                   "signals, so no emerging threat is named.")
    if harm:
        out.append(f"Harm uses the offence weights supplied in {harm_file} (mean weight per crime of each grouping).")
    else:
        out.append("Harm is not included: no offence harm weights file was supplied (priorities.harm_weights; "
                   "format in docs/data.md), and no weights are assumed in its place.")
    if not survey:
        out.append("Public concern is not included: the run has no resident survey priorities for the year.")
    if withheld:
        out.append(f"{fmt_count(withheld)} {'grouping is' if withheld == 1 else 'groupings are'} not scored: "
                   "withheld to protect small numbers.")
    return out


# -- what a page says where a default run has no data for a sub-section ------------------------------


def parts_sentence(whole: str, parts: Sequence[tuple[str, int]], total: int, n: int = 3) -> str:
    """The largest parts of a whole, each with its share and count, e.g. "The largest parts of acquisitive
    crime (13,380) were vehicle offences with 24.7% (3,300), shoplifting with 19.3% (2,580) and burglary
    with 18.7% (2,500)."

    ``parts``: (label, count) pairs, any order; the ``n`` largest are named (ties by label). A whole of
    none says so.
    """
    if total <= 0:
        return f"No {whole} was recorded, so it has no parts to report."
    if any(c < 0 or c > total for _, c in parts):
        raise NarrativeError(f"each part of {whole} must be between 0 and its total {total}")
    top = sorted(((label, c) for label, c in parts if c > 0), key=lambda p: (-p[1], p[0]))[:n]
    if not top:
        return f"No part of {whole} was recorded."
    said = [f"{label} with {fmt_pct(c / total * 100)} ({fmt_count(c)})" for label, c in top]
    what, verb = ("part", "was") if len(said) == 1 else ("parts", "were")
    return f"The largest {what} of {whole} ({fmt_count(total)}) {verb} {fmt_list(said)}."


def no_wave_sentence(period: str, year: int, waves: Sequence[int]) -> str:
    """A survey with no wave for the period, e.g. "There was no resident survey wave for 2022/23: an
    assessment uses the wave carried out in the year its financial year ends (2023), and the survey data
    hold the 2022 and 2024 waves, so no survey figure is shown for this year."."""
    held = (f"the survey data hold the {fmt_list([str(w) for w in sorted(waves)])} "
            f"wave{'s' if len(waves) != 1 else ''}" if waves else "the survey data hold no wave at all")
    return (f"There was no resident survey wave for {period}: an assessment uses the wave carried out in the "
            f"year its financial year ends ({year}), and {held}, so no survey figure is shown for this year.")


def no_published_sentence(period: str, documents: Sequence[tuple[str, str]], path: str) -> str:
    """No document publishes figures for the period, naming the ones the published-figures file has, e.g.
    "No document in the published figures file publishes figures for 2022/23, so there is nothing to
    reconcile: it holds figures from CCSP Plan 2025-2028 (for 2023/24) and ... (for 2015/16)
    (reference/coventry_published_figures.yaml)."."""
    if not documents:
        return (f"No document in the published figures file publishes figures for {period}, so there is nothing "
                f"to reconcile: the file ({path}) holds no document's figures.")
    named = fmt_list([f"{name} (for {when})" for name, when in documents])
    return (f"No document in the published figures file publishes figures for {period}, so there is nothing to "
            f"reconcile: it holds figures from {named} ({path}).")


# -- "so what": findings and what they mean for the plan (ccsp_analysis.so_what) --------------------------

def change_finding(label: str, current: int, previous: int, pct_change: float, direction: str) -> tuple[str, str]:
    """A significant change as a finding and its short form for the closing sentences.

    e.g. ("Shoplifting rose by 44.5% on last year (2,580 against 1,785), a statistically significant rise.",
    "shoplifting rose by 44.5%"). Only for direction UP or DOWN (a significant change).
    """
    if direction not in ("UP", "DOWN"):
        raise NarrativeError(f"a change finding needs direction UP or DOWN, got {direction!r}")
    verb, noun = ("rose", "rise") if direction == "UP" else ("fell", "fall")
    size = fmt_pct(abs(pct_change))
    sentence = (f"{label} {verb} by {size} on last year ({fmt_count(current)} against {fmt_count(previous)}), "
                f"a statistically significant {noun}.")
    return sentence, f"{lower_first(label)} {verb} by {size}"


def significant_row_finding(name: str, what: str, current: int, previous: int, pct_change: float, direction: str,
                            n_rows: int, among: str, kind: bool = False) -> tuple[str, str]:
    """A row of a table tested together that stays significant after the Benjamini–Hochberg correction.

    e.g. ("Recorded crime in Foleshill fell by 12.2% (5,120 against 5,834), significant after correcting for
    testing 18 wards at once.", "recorded crime in Foleshill fell by 12.2%"). ``kind``: the row is a kind of
    ``what`` (an offence group), not a place: "Stalking and harassment (violence against women and girls) fell ...".
    """
    if direction not in ("UP", "DOWN"):
        raise NarrativeError(f"a change finding needs direction UP or DOWN, got {direction!r}")
    verb = "rose" if direction == "UP" else "fell"
    size = fmt_pct(abs(pct_change))
    lead = f"{name} ({what})" if kind else f"{what[0].upper()}{what[1:]} in {name}"
    sentence = (f"{lead} {verb} by {size} ({fmt_count(current)} against {fmt_count(previous)}), significant after "
                f"correcting for testing {fmt_count(n_rows)} {among} at once.")
    return sentence, f"{lower_first(lead) if kind else what + ' in ' + name} {verb} by {size}"


def plan_link_phrase(boards: Sequence[str], better: str, direction: str | None) -> str:
    """How a finding's measure sits in the plan: the boards whose measure of success it is and, for a
    significant change, whether it goes the way the plan asks (``better``: 'lower' or 'higher').

    e.g. " (a measure of success of City Tasking; the plan asks for a fall, and this is not one)".
    """
    owners = fmt_list(list(dict.fromkeys(boards)))
    text = f" (a measure of success of {owners}"
    if direction in ("UP", "DOWN"):
        agrees = (direction == "UP") == (better == "higher")
        text += f"; the plan asks for {'a rise' if better == 'higher' else 'a fall'}, and this {'is' if agrees else 'is not'} one"
    return text + ")"


def priority_implication(title: str, gists: Sequence[str]) -> str:
    """One closing sentence: a priority and the findings that bear on it.

    e.g. "Priority 2: public place safety and reassurance — the findings that bear on it: shoplifting rose by 44.5%
    (...); anti-social behaviour (police-recorded) shows concerning control-chart signals."
    """
    return f"{title} — the findings that bear on it: {'; '.join(gists)}."


def finding_sentences_none(missing: str | None, some: bool = False) -> str:
    """What a page's findings say when its results give none (or, ``some``, beside the ones they give over
    incomplete periods): never padding, and over incomplete periods why no change is called a rise or fall."""
    if missing is not None:
        lead = "" if some else "This page's results give no finding to report. "
        return (f"{lead}No change on last year is called a rise or a fall here, because the data miss months "
                f"({missing}).")
    return "This page's results give no finding to report beyond what its tables show."


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a name (two capitals, e.g. "VAWG")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
