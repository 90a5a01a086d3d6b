"""Row types shared by adapters, validation, storage and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

__all__ = [
    "Observation",
    "IngestError",
    "ParseResult",
    "OBSERVATION_COLUMNS",
    "PROVENANCES",
    "MEASURES",
    "SPAN_MEASURES",
    "LANDED_NOTE",
    "LEFT_NOTE",
    "column_key",
]

# how a release's note opens when the file states no release date and the day it landed stands in (the
# adapters write it, the pipeline shows it among the release's notes)
LANDED_NOTE = "no release date in the file"
# how the release's one note opens that names the figures of its prose no reader took (adapter_common.ProseCoverage)
LEFT_NOTE = "not read, no catalogued indicator or pattern"

PROVENANCES = ("published", "illustrative", "derived")
# avg_yoy_pct: 年均增长 over a multi-year period (2021-2025 9.4% = 1.094^5 over the span);
# cum_pct: 累计增长 over a multi-year period (the whole span's growth). Both need a multi_year period.
MEASURES = ("value", "yoy_pct", "rank", "yoy_rank", "class", "stage", "plan_share_pct", "avg_yoy_pct", "cum_pct")
SPAN_MEASURES = ("avg_yoy_pct", "cum_pct")


@dataclass
class Observation:
    """One published number: the raw observation contract minus release_id and ingested_at.

    store.py adds those two when it writes the row.
    """

    indicator_code: str
    region_code: str
    subject_code: str
    period_code: str
    period_kind: str
    period_start: date
    period_end: date
    measure: str
    value: float
    bound: str
    unit: str
    source_value: str
    source_unit: str
    provenance: str
    derived_from: str
    source_ref: str
    source_file: str
    source_row: int | None
    release_date: date | None
    # True when the file stated no release date for this figure and the day it landed stands in (said in a note
    # too): a date no office printed, shown as the arrival day wherever the date is shown
    release_date_imputed: bool = False

    def key(self) -> tuple[str, str, str, str, str]:
        """The contract key within one release."""
        return (self.indicator_code, self.region_code, self.subject_code, self.period_code, self.measure)


OBSERVATION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Observation))


def column_key(obs: Observation) -> tuple[str | int | None, ...]:
    """Where one figure was read (file, row and its key), to find the column label it came from
    (:attr:`ParseResult.columns`): a value refused is named by the table's column (本月), not "value"."""
    return (obs.source_file, obs.source_row, *obs.key())


@dataclass(frozen=True)
class IngestError:
    """A row-level (or file-level, row=None) problem; all of a file's errors are collected."""

    file: str
    row: int | None
    column: str
    reason: str


@dataclass
class ParseResult:
    adapter: str
    observations: list[Observation] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    release_date: date | None = None
    # the release's date is the day it landed: the file (none of its loaded rows) states one
    release_date_imputed: bool = False
    provenance: str = "published"
    # Conversion notes (unit factors, exchange rates used) per source row; not a contract column.
    notes: list[str] = field(default_factory=list)
    # The column label each figure was read from (column_key -> 本月 / 1-本月 …), for the errors the
    # contract checks give later; not a contract column.
    columns: dict[tuple[str | int | None, ...], str] = field(default_factory=dict)
