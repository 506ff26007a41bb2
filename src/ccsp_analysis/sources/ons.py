"""Readers for ONS lookups, Census 2021 population, IMD 2019 ranks and GeoJSON boundaries."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import LSOA_CODE_PATTERN, WARD_CODE_PATTERN, Column
from ccsp_analysis.sources.csvfile import CsvText
from ccsp_analysis.sources.tabular import (
    area_mask,
    duplicated_rows,
    to_frame,
    validate_columns,
)

log = logging.getLogger(__name__)

LAD_CODE_PATTERN = r"^[EW]0[6-9]\d{6}$"
_IMD_DOMAINS = {
    "income": "income",
    "employment": "employment",
    "education": "education_skills_and_training",
    "health": "health_deprivation_and_disability",
    "crime": "crime",
    "barriers": "barriers_to_housing_and_services",
    "living_environment": "living_environment",
}


@dataclass(frozen=True)
class _Field:
    """An output column: the header names it may have (regex), an example, and its value checks."""

    out: str
    header: str
    example: str
    column: Column = Column("")
    required: bool = True


_LSOA_CODE = Column("", pattern=LSOA_CODE_PATTERN)
_COUNT = Column("", "int", min=0)


def _pick(text: CsvText, names: Sequence[str], field: _Field) -> str | None:
    hits = [n for n in names if re.fullmatch(field.header, n)]
    if len(hits) > 1:
        raise DataError(
            f"several {field.out} columns ({', '.join(hits)})",
            path=text.where,
            line=1,
            fix=f"keep only the one {field.out} column you mean",
        )
    if not hits and field.required:
        raise DataError(
            f"has no {field.out} column (expected a header like {field.example!r})",
            path=text.where,
            line=1,
            fix=f"use the ONS file with a column named like {field.example!r}; found: {', '.join(names)}",
        )
    return hits[0] if hits else None


def _read_fields(
    path: str | Path, fields: Sequence[_Field], footer: str | None = None
) -> tuple[CsvText, pa.Table]:
    """Parse, find each field's column, drop a trailing footer, validate, rename to field.out."""
    text = CsvText.from_path(path)
    table = text.parse()
    found = {f.out: name for f in fields if (name := _pick(text, table.column_names, f))}
    if footer is not None:
        valid = pc.indices_nonzero(pc.is_valid(table.column(found[footer])))
        end = valid[-1].as_py() + 1 if len(valid) else 0
        log.debug("%s: skipping %d footnote line(s)", path, table.num_rows - end)
        table = table.slice(0, end)
    checks = [dataclasses.replace(f.column, name=found[f.out]) for f in fields if f.out in found]
    table = validate_columns(text, table, checks)
    table = table.select([found[f.out] for f in fields if f.out in found])
    return text, table.rename_columns([f.out for f in fields if f.out in found])


def _filter_area(
    text: CsvText, table: pa.Table, codes: Iterable[str] | None, prefix: str | None = None
) -> pa.Table:
    """Keep the requested LSOAs (code listed OR name prefix); warn about listed codes not found."""
    codes = None if codes is None else set(codes)
    mask = area_mask(table.column("lsoa_code"), table.column("lsoa_name"), codes, prefix)
    if mask is None:
        return table
    table = table.filter(mask)
    if table.num_rows == 0:
        raise DataError(
            "no rows for the requested LSOAs",
            path=text.where,
            fix="check the LSOA codes / name prefix and that the file covers your area",
        )
    missing = sorted((codes or set()) - set(table.column("lsoa_code").to_pylist()))
    if missing:
        log.warning(
            "%s: %d requested LSOA code(s) not found, e.g. %s", text.where, len(missing), missing[0]
        )
    return table


def read_lsoa_ward_lookup(
    path: str | Path, lad_code: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Read an LSOA to ward best-fit lookup (any vintage) and optionally keep one local authority.

    Parameters
    ----------
    path
        CSV (``.gz`` allowed) with ``LSOAyyCD, LSOAyyNM, WDyyCD, WDyyNM`` (or ``WD_CD, WD_NM``)
        and optionally ``LADyyCD, LADyyNM``; other columns are ignored.
    lad_code
        Keep rows of this local authority, or of several (a sequence of codes), which needs the
        LAD columns; a code with no rows is an error naming it.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name`` (LAD NA when absent),
        one row per LSOA.
    """
    fields = [
        _Field(
            "lsoa_code", r"LSOA\d{2}CD", "LSOA21CD", dataclasses.replace(_LSOA_CODE, unique=True)
        ),
        _Field("lsoa_name", r"LSOA\d{2}NM", "LSOA21NM"),
        _Field("ward_code", r"WD\d{2}CD|WD_CD", "WD22CD", Column("", pattern=WARD_CODE_PATTERN)),
        _Field("ward_name", r"WD\d{2}NM|WD_NM", "WD22NM"),
        _Field("lad_code", r"LAD\d{2}CD", "LAD22CD", Column("", pattern=LAD_CODE_PATTERN), False),
        _Field("lad_name", r"LAD\d{2}NM", "LAD22NM", required=False),
    ]
    text, table = _read_fields(path, fields)
    for name in ("lad_code", "lad_name"):
        if name not in table.column_names:
            if lad_code is not None:
                raise DataError(
                    "has no LADyyCD column, so it cannot be filtered to a local authority",
                    path=path,
                    line=1,
                    fix="use a lookup with LAD columns, or pass lad_code=None for a one-area file",
                )
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    if lad_code is not None:
        wanted = [lad_code] if isinstance(lad_code, str) else list(lad_code)
        table = table.filter(pc.is_in(table.column("lad_code"), pa.array(wanted, pa.string())))
        found = set(table.column("lad_code").to_pylist())
        absent = [c for c in wanted if c not in found]
        if absent:
            raise DataError(
                f"no rows for LAD code {', '.join(absent)}",
                path=path,
                fix="check area.la_codes, or use a lookup that covers every district of the area",
            )
    return to_frame(table)


@dataclass(frozen=True)
class DistrictLookup:
    """An ONS lookup of small areas to local authority districts (and wards, when it has them).

    ``frame``: ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name`` (ward and name
    columns NA when the file has none; a small area may repeat when the file maps one vintage to
    another). ``columns``: the file's column used for each, e.g. ``{"lsoa_code": "LSOA21CD", ...}``.
    """

    path: Path
    frame: pd.DataFrame
    columns: dict[str, str]

    @property
    def has_wards(self) -> bool:
        return "ward_code" in self.columns


def _latest(names: Sequence[str], pattern: str) -> str | None:
    """The column matching ``pattern`` (one group: the two-digit vintage) of the latest vintage."""
    hits = [(m.group(1), n) for n in names if (m := re.fullmatch(pattern, n))]
    return max(hits)[1] if hits else None


def read_district_lookup(path: str | Path) -> DistrictLookup:
    """Read any ONS lookup that maps small areas (LSOAs) to local authority districts.

    Accepts the real ONS layouts: LSOA → ward → district lookups (``LSOA21CD, LSOA21NM, WD22CD,
    WD22NM, LAD22CD, LAD22NM``; the best-fit ``LSOA11CD, …, WD19CD, WD19NM, LAD19CD, LAD19NM``)
    and LSOA → district lookups without wards (``LSOA11CD, …, LSOA21CD, LSOA21NM, LAD22CD,
    LAD22NM``). Where the file has several vintages of a column the latest is used (LSOA21 over
    LSOA11). Other columns are ignored.

    Raises
    ------
    DataError
        The file is missing, not a CSV, or has no ``LSOAyyCD`` or no ``LADyyCD`` column (the
        message names the missing columns and those found), or a code is malformed (naming its line).
    """
    text = CsvText.from_path(path)
    names = text.header()
    lsoa = _latest(names, r"LSOA(\d{2})CD")
    lad = _latest(names, r"LAD(\d{2})CD")
    ward = _latest(names, r"WD(\d{2})CD") or ("WD_CD" if "WD_CD" in names else None)
    missing = [label for label, col in (("LSOAyyCD (e.g. LSOA21CD)", lsoa), ("LADyyCD (e.g. LAD22CD)", lad)) if col is None]
    if missing:
        raise DataError(
            f"is not an ONS lookup of small areas to local authority districts: no column {' and no column '.join(missing)}",
            path=text.where,
            line=1,
            fix=f"use an ONS LSOA to ward to LAD (or LSOA to LAD) lookup; found columns: {', '.join(names)}",
        )
    columns = {"lsoa_code": lsoa, "lad_code": lad}
    if ward is not None:
        columns["ward_code"] = ward
    for code in list(columns):
        col = columns[code]
        label = col[:-2] + "NM" if col.endswith("CD") else None
        if label in names:
            columns[code.replace("_code", "_name")] = label
    table = text.parse()
    checks = [
        Column(columns["lsoa_code"], pattern=LSOA_CODE_PATTERN, required=True),
        Column(columns["lad_code"], pattern=LAD_CODE_PATTERN, required=True),
    ]
    if ward is not None:
        checks.append(Column(ward, pattern=WARD_CODE_PATTERN))
    table = validate_columns(text, table, checks)
    out = {}
    for name in ("lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_code", "lad_name"):
        out[name] = (
            table.column(columns[name]) if name in columns else pa.nulls(table.num_rows, pa.string())
        )
    frame = to_frame(pa.table(out))
    return DistrictLookup(Path(path), frame, {k: v for k, v in columns.items()})


def read_census_ts001(path: str | Path, lsoa_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read Census 2021 TS001 usual residents per LSOA (Nomis bulk CSV; footnote lines skipped).

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, population``.
    """
    fields = [
        _Field("lsoa_code", r"mnemonic", "mnemonic", dataclasses.replace(_LSOA_CODE, unique=True)),
        _Field(
            "lsoa_name",
            r"\d{4} super output area - lower layer",
            "2021 super output area - lower layer",
        ),
        _Field("population", r"total", "total", _COUNT),
    ]
    text, table = _read_fields(path, fields, footer="lsoa_code")
    return to_frame(_filter_area(text, table, lsoa_codes))


def read_population_by_age(
    path: str | Path, lsoa_codes: Iterable[str] | None = None, lsoa_name_prefix: str | None = None
) -> pd.DataFrame:
    """Read usual residents by age band per LSOA (``lsoa21_code, lsoa21_name, age_group, usual_residents``).

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, age_group, population``; one row per LSOA and age band.
    """
    fields = [
        _Field("lsoa_code", r"lsoa\d{2}_code", "lsoa21_code", _LSOA_CODE),
        _Field("lsoa_name", r"lsoa\d{2}_name", "lsoa21_name"),
        _Field("age_group", r"age_group", "age_group"),
        _Field("population", r"usual_residents|population", "usual_residents", _COUNT),
    ]
    text, table = _read_fields(path, fields)
    repeated = duplicated_rows(table.column("lsoa_code"), table.column("age_group"))
    if repeated is not None:
        row = int(repeated.nonzero()[0][0])
        raise text.error(
            f"LSOA {table.column('lsoa_code')[row]} has age group {table.column('age_group')[row]} twice",
            row=row,
            column="age_group",
            fix="keep one row per LSOA and age group",
        )
    return to_frame(_filter_area(text, table, lsoa_codes, lsoa_name_prefix))


def read_imd(path: str | Path, lsoa_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read English Indices of Deprivation 2019 ranks and deciles per LSOA (2011).

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, lad_code, lad_name, imd_rank, imd_decile`` and, when present,
        ``<domain>_rank, <domain>_decile`` for income, employment, education, health, crime,
        barriers and living_environment (rank 1 = most deprived; decile 1 = most deprived 10%).
    """
    rank, decile = Column("", "int", min=1), Column("", "int", min=1, max=10)
    fields = [
        _Field(
            "lsoa_code",
            r"lsoa\d{2}_code",
            "lsoa11_code",
            dataclasses.replace(_LSOA_CODE, unique=True),
        ),
        _Field("lsoa_name", r"lsoa\d{2}_name", "lsoa11_name"),
        _Field(
            "lad_code", r"lad\d{2}_code", "lad19_code", Column("", pattern=LAD_CODE_PATTERN), False
        ),
        _Field("lad_name", r"lad\d{2}_name", "lad19_name", required=False),
        _Field(
            "imd_rank",
            r"index_of_multiple_deprivation_imd_rank",
            "index_of_multiple_deprivation_imd_rank",
            rank,
        ),
        _Field(
            "imd_decile",
            r"index_of_multiple_deprivation_imd_decile",
            "index_of_multiple_deprivation_imd_decile",
            decile,
        ),
    ]
    for short, long in _IMD_DOMAINS.items():
        fields.append(_Field(f"{short}_rank", f"{long}_rank", f"{long}_rank", rank, False))
        fields.append(_Field(f"{short}_decile", f"{long}_decile", f"{long}_decile", decile, False))
    text, table = _read_fields(path, fields)
    return to_frame(_filter_area(text, table, lsoa_codes))


def _feature_error(path: Path, index: int, message: str, fix: str) -> DataError:
    return DataError(f"feature {index}: {message}", path=path, fix=fix)


def read_boundaries(
    path: str | Path, code_field: str | None = None, name_field: str | None = None
) -> pd.DataFrame:
    """Read a GeoJSON FeatureCollection of Polygon/MultiPolygon areas (no geopandas needed).

    Parameters
    ----------
    path
        GeoJSON file, e.g. ONS ward or LSOA boundaries in lon/lat.
    code_field, name_field
        Property names of the area code and name; by default the first ``*CD`` property that
        has a matching ``*NM`` property (``WD25CD``/``WD25NM``, ``LSOA21CD``/``LSOA21NM``).

    Returns
    -------
    pandas.DataFrame
        ``code, name, geometry`` where geometry is the GeoJSON geometry dict.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, fix="check sources.ward_boundaries")
    try:
        doc = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise DataError(f"is not valid JSON ({exc.msg})", path=path, line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise DataError("is not UTF-8 text", path=path, fix="save it as UTF-8 GeoJSON") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(features, list)
        or not features
    ):
        raise DataError(
            "is not a GeoJSON FeatureCollection with features",
            path=path,
            fix="export the boundaries as GeoJSON",
        )
    props = features[0].get("properties") or {}
    if code_field is None:
        code_field = next((k for k in props if k.endswith("CD") and k[:-2] + "NM" in props), None)
        if code_field is None:
            raise _feature_error(
                path,
                0,
                "no *CD property with a matching *NM property",
                "pass code_field= and name_field=",
            )
    name_field = name_field or code_field[:-2] + "NM"
    rows = []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            kind = geometry.get("type") if isinstance(geometry, dict) else geometry
            raise _feature_error(
                path,
                i,
                f"geometry is {kind!r}, not Polygon or MultiPolygon",
                "keep only area features",
            )
        props = feature.get("properties") or {}
        for field in (code_field, name_field):
            if not props.get(field):
                raise _feature_error(
                    path,
                    i,
                    f"property {field!r} is missing or blank",
                    f"give every feature a {field}",
                )
        rows.append((str(props[code_field]), str(props[name_field]), geometry))
    frame = pd.DataFrame(rows, columns=["code", "name", "geometry"])
    frame[["code", "name"]] = frame[["code", "name"]].astype("str")
    repeated = frame["code"].duplicated()
    if repeated.any():
        i = int(repeated.to_numpy().nonzero()[0][0])
        raise _feature_error(
            path,
            i,
            f"code {frame['code'][i]!r} appears more than once",
            "dissolve repeated areas into one feature",
        )
    return frame
