"""``ccsp area add``: describe a partnership area (one or more districts) from an ONS lookup and write its file.

An area file (``params/areas/<slug>.yaml``) records the district codes, the name, the police force
and optionally the city-centre ward. Its wards and small areas are never listed by hand: at run time
they are the districts' rows of the LSOA lookup (``sources.lsoa_ward_lookup``). This module checks
the codes against the lookup the user names (or the project's), counts what it finds and writes
the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ccsp_analysis.errors import CcspError, ParamsError
from ccsp_analysis.params import AREAS_DIR, DEFAULTS_FILE, LAD_CODE_PATTERN, Area
from ccsp_analysis.sources.ons import DistrictLookup, read_district_lookup


class AreaError(CcspError):
    """An area cannot be described from the lookup: a bad or unknown code, a ward outside it, a file in the way."""


@dataclass(frozen=True)
class District:
    code: str
    name: str | None
    wards: int | None  # None when the lookup has no wards
    small_areas: int


@dataclass(frozen=True)
class ResolvedArea:
    """What the lookup says about an area: its districts, wards and small areas."""

    area: Area
    lookup: Path
    lookup_columns: dict[str, str]
    districts: tuple[District, ...]
    wards: int | None  # distinct wards over all districts; None when the lookup has none
    small_areas: int  # distinct small areas over all districts


def slugify(name: str) -> str:
    """An area slug from its name: lower case, runs of other characters as one hyphen ("Brighton & Hove" ->
    "brighton-hove")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise AreaError(f"cannot make a slug from the name {name!r}; give one with --slug (e.g. --slug my-area)")
    return slug


def _check_slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise AreaError(f"--slug {slug!r}: use lower-case letters, digits and hyphens, starting with a letter or digit")
    return slug


def default_lookup(params_dir: Path) -> Path:
    """The project's lookup: ``sources.lsoa_ward_lookup`` of ``<params_dir>/defaults.yaml`` (relative to the
    project root, the folder above ``params/``)."""
    defaults = params_dir / DEFAULTS_FILE
    try:
        data = yaml.safe_load(defaults.read_text(encoding="utf-8-sig")) or {}
    except FileNotFoundError:
        raise AreaError(f"{defaults} does not exist, so there is no default lookup; give one with --lookup") from None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(f"{defaults}: cannot be read ({exc})") from None
    value = (data.get("sources") or {}).get("lsoa_ward_lookup") if isinstance(data, dict) else None
    if not value:
        raise AreaError(f"{defaults} names no sources.lsoa_ward_lookup; give the lookup with --lookup")
    path = Path(str(value))
    return path if path.is_absolute() else params_dir.parent / path


def check_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """The district codes, checked: each of the LAD pattern (E06/E07/E08/E09/W06 and six digits), none twice."""
    if not codes:
        raise AreaError("give at least one local authority district code, e.g. E08000026")
    out = []
    for raw in codes:
        code = raw.strip().upper()
        if not re.fullmatch(LAD_CODE_PATTERN, code):
            raise AreaError(f"{raw!r} is not a local authority district code: expected E06, E07, E08, E09 or W06 "
                            "and six digits, e.g. E08000026 (Coventry). Ward (E05), small-area (E01) and county "
                            "(E10) codes are not districts")
        if code in out:
            raise AreaError(f"district {code} is given twice")
        out.append(code)
    return tuple(out)


def resolve(codes: Sequence[str], *, name: str, force: str, lookup: Path, slug: str | None = None,
            city_centre_ward: str | None = None) -> ResolvedArea:
    """Check ``codes`` against the ``lookup`` and count each district's wards and small areas.

    Raises AreaError naming the code and the lookup (suggesting a similar code of the lookup when
    there is one), or the city-centre ward that is not in the area; DataError when the lookup is
    missing or not an ONS lookup (naming the columns it lacks).
    """
    codes = check_codes(codes)
    slug = _check_slug(slug or slugify(name))
    if not re.fullmatch(r"[a-z0-9-]+", force):
        raise AreaError(f"--force {force!r}: use the data.police.uk force name in lower case with hyphens, "
                        "e.g. west-midlands (as in the YYYY-MM-<force>-street.csv file names)")
    table = read_district_lookup(lookup)
    frame = table.frame
    known = set(frame["lad_code"].dropna())
    for code in codes:
        if code not in known:
            close = similar_codes(code, known)
            hint = f"; did you mean {' or '.join(_with_name(table, c) for c in close)}?" if close else ""
            raise AreaError(f"district {code} is not in the lookup {lookup} (column {table.columns['lad_code']}, "
                            f"{len(known)} district{'s' if len(known) != 1 else ''}){hint} Check the code, or use a lookup of the same vintage "
                            "as the code (district codes change when councils merge)")
    mine = frame[frame["lad_code"].isin(codes)]
    districts = []
    for code in codes:
        rows = mine[mine["lad_code"] == code]
        names = rows["lad_name"].dropna()
        districts.append(District(code, str(names.iloc[0]) if len(names) else None,
                                  int(rows["ward_code"].nunique()) if table.has_wards else None,
                                  int(rows["lsoa_code"].nunique())))
    wards = int(mine["ward_code"].nunique()) if table.has_wards else None
    if city_centre_ward is not None:
        if not table.has_wards:
            raise AreaError(f"--city-centre-ward {city_centre_ward}: the lookup {lookup} has no ward column, so the "
                            "ward cannot be checked; use an LSOA to ward lookup (WDyyCD columns) or leave it out")
        if city_centre_ward not in set(mine["ward_code"]):
            raise AreaError(f"--city-centre-ward {city_centre_ward} is not a ward of {', '.join(codes)} in the lookup "
                            f"{lookup} (column {table.columns['ward_code']}); give one of the area's {wards} wards")
    try:
        area = Area(name=name, slug=slug, la_codes=codes, force=force, city_centre_ward=city_centre_ward)
    except ValueError as exc:  # pydantic's ValidationError
        raise AreaError(f"the area is not valid: {exc}") from None
    return ResolvedArea(area, Path(lookup), dict(table.columns), tuple(districts), wards, int(mine["lsoa_code"].nunique()))


def similar_codes(code: str, known: set[str] | Sequence[str]) -> list[str]:
    """Codes of ``known`` that a slip of the keyboard away from ``code``: one character different, or two
    neighbouring characters swapped (E08000062 for E08000026)."""
    def distance(other: str) -> int | None:  # 1: two neighbours swapped, 2: one character different
        if len(other) != len(code):
            return None
        diff = [i for i, (x, y) in enumerate(zip(code, other, strict=True)) if x != y]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and code[diff[0]] == other[diff[1]] and code[diff[1]] == other[diff[0]]:
            return 1
        return 2 if len(diff) == 1 else None

    ranked = sorted((d, c) for c in known if (d := distance(c)) is not None)
    return [c for _, c in ranked[:5]]


def _with_name(table: DistrictLookup, code: str) -> str:
    names = table.frame.loc[table.frame["lad_code"] == code, "lad_name"].dropna()
    return f"{code} ({names.iloc[0]})" if len(names) else code


def area_yaml(resolved: ResolvedArea, lookup_text: str | None = None) -> str:
    """The area file's text: the keys :class:`~ccsp_analysis.params.Area` reads, and as comments what the
    lookup holds for the area (wards and small areas per district) and which lookup it was."""
    a = resolved.area
    cols = resolved.lookup_columns
    lines = [f"# {a.name} Community Safety Partnership area, written by `ccsp area add`.",
             f"# Checked against the lookup {lookup_text or resolved.lookup}",
             f"#   (small areas {cols['lsoa_code']}, wards {cols.get('ward_code', 'none')}, districts {cols['lad_code']}):"]
    for d in resolved.districts:
        wards = f"{d.wards} wards" if d.wards is not None else "no wards in this lookup"
        lines.append(f"#   {d.code}{f' {d.name}' if d.name else ''}: {wards}, {d.small_areas} small areas")
    if len(resolved.districts) > 1:
        wards = f"{resolved.wards} wards" if resolved.wards is not None else "no wards in this lookup"
        lines.append(f"#   the area: {wards}, {resolved.small_areas} small areas")
    lines += ["# Wards and small areas are not listed here: a run takes them from sources.lsoa_ward_lookup by",
              "# district code. Add the partnership's own extracts under `sources:` (see params/areas/coventry.yaml)."]
    body: dict = {"name": a.name, "slug": a.slug, "la_codes": list(a.la_codes), "force": a.force}
    if a.city_centre_ward:
        body["city_centre_ward"] = a.city_centre_ward
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False)


def add_area(codes: Sequence[str], *, name: str, force: str, params_dir: Path, slug: str | None = None,
             lookup: Path | None = None, city_centre_ward: str | None = None,
             overwrite: bool = False) -> tuple[Path, ResolvedArea]:
    """Resolve the area (:func:`resolve`) and write ``<params_dir>/areas/<slug>.yaml``; returns its path.

    ``lookup`` defaults to the project's (:func:`default_lookup`). An existing file is kept unless
    ``overwrite``; nothing is written when anything is wrong.
    """
    params_dir = Path(params_dir)
    codes = check_codes(codes)
    slug = _check_slug(slug or slugify(name))
    target = params_dir / AREAS_DIR / f"{slug}.yaml"
    if target.exists() and not overwrite:
        raise AreaError(f"{target} already exists; choose another --slug, or add --overwrite to replace it")
    given = lookup is not None
    lookup = Path(lookup) if given else default_lookup(params_dir)
    if not lookup.is_file():
        origin = "--lookup" if given else f"the default lookup (sources.lsoa_ward_lookup of {params_dir / DEFAULTS_FILE})"
        raise AreaError(f"{origin}: {lookup} does not exist. Give an ONS LSOA lookup with --lookup, e.g. "
                        "../shared/data/lookups/lsoa11_to_ward2019_lad2019_bestfit_EW.csv.gz"
                        + ("" if given else ", or run `ccsp data demo` to write the demo lookup"))
    resolved = resolve(codes, name=name, force=force, lookup=lookup, slug=slug, city_centre_ward=city_centre_ward)
    root = params_dir.resolve().parent
    try:
        shown = str(lookup.resolve().relative_to(root))
    except ValueError:
        shown = str(lookup)
    text = area_yaml(resolved, shown)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target, resolved
