"""Format 5: the statistics office's HTTP API (JSON), pulled monthly.

``GET {base}/api/v1/releases?month=2022-05``. 404 means "not released yet" and returns None;
5xx and connection errors are retried with exponential backoff (urllib3 Retry).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from dagster_project.ingest.adapter_common import RowContext, drop_repeats, has_illustrative_marker, is_park
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.models import MEASURES, ParseResult
from dagster_project.ingest.periods import parse_period

if TYPE_CHECKING:  # requests is imported where it is used: parsing a payload does not need it
    import requests

__all__ = [
    "NAME",
    "ApiError",
    "make_session",
    "release_url",
    "fetch_release",
    "sniff_payload",
    "release_in",
    "error_answer",
    "parse_payload",
]

NAME = "http_api"
DEFAULT_TIMEOUT = 10.0


class ApiError(RuntimeError):
    """The API failed after retries, or answered with something that is not a release."""


def make_session(retries: int = 3, backoff_factor: float = 0.5) -> requests.Session:
    """A session that retries GETs on 5xx and on connection/read errors, with backoff."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=backoff_factor,
        raise_on_status=False,  # we inspect the final status ourselves
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def release_url(base_url: str | None) -> str:
    """The releases endpoint under ``base_url`` (the settings' stats_api_url, PMW_STATS_API_URL)."""
    base = base_url
    if not base:
        raise ApiError("no API base URL: pass base_url (the settings' stats_api_url: set PMW_STATS_API_URL)")
    return base.rstrip("/") + "/api/v1/releases"


def fetch_release(
    month: str,
    base_url: str | None,
    *,
    session: requests.Session | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any] | None:
    """The release JSON for ``month`` (YYYY-MM), or None when it is not released yet (404)."""
    url = release_url(base_url)
    sess = session or make_session()
    got = _get_json(sess, url, timeout, params={"month": month})
    if got is None:
        return None
    payload, answered = got
    if not isinstance(payload, dict):
        raise ApiError(f"GET {answered} returned {type(payload).__name__}, not an object")
    if problem := error_answer(payload):  # an error served with 200: a failed pull, not a release to quarantine
        raise ApiError(f"GET {answered}: {problem}")
    return _rest_of_pages(release_in(payload) or payload, answered, sess, timeout)


_NEXT_PAGE = " (a next page)"


def _get_json(
    sess: requests.Session, url: str, timeout: float, params: dict[str, str] | None = None
) -> tuple[Any, str] | None:
    """One GET of the API: its JSON body and the address that answered. A request that fails, an error status
    or a body that is not JSON raise ApiError naming the address (a next page says so); a first page's 404 is
    None (the month is not released yet), a next page's is an error (the release is cut short)."""
    import requests

    page = "" if params else _NEXT_PAGE
    asked = f"{url}?{urlencode(params)}" if params else url
    try:
        resp = sess.get(url, params=params, timeout=timeout) if params else sess.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise ApiError(f"GET {asked}{page} failed after retries: {exc}") from exc
    answered = resp.url if params else url
    if resp.status_code == 404 and params:
        return None
    if resp.status_code >= 400:
        raise ApiError(f"GET {answered}{page} answered {resp.status_code}")
    try:
        return resp.json(), answered
    except ValueError as exc:
        raise ApiError(f"GET {answered}{page} did not return JSON") from exc


MAX_PAGES = 200  # a next link that never ends (a server bug) stops here rather than looping


def next_page(payload: dict[str, Any]) -> str | None:
    """The link to the next page of a paged answer (``next``, or ``links.next``); None on the last page."""
    links = payload.get("links")
    link = payload.get("next") or (links.get("next") if isinstance(links, dict) else None)
    return str(link) if link else None


def _rest_of_pages(payload: dict[str, Any], url: str, sess: requests.Session, timeout: float) -> dict[str, Any]:
    """A paged answer as one release: the observations of every page, following the next links (a month's
    release cut into pages is still one release; its first page alone would load part of it)."""
    seen = {url}
    link = next_page(payload)
    observations = list(payload.get("observations") or [])
    while link:
        link = urljoin(url, link)
        if link in seen or len(seen) >= MAX_PAGES:
            raise ApiError(f"GET {url}: the next links loop or pass {MAX_PAGES} pages (at {link})")
        seen.add(link)
        page, _ = _get_json(sess, link, timeout)
        problem = error_answer(page) or (None if sniff_payload(page) else "not a page of the release")
        if problem:
            raise ApiError(f"GET {link}{_NEXT_PAGE}: {problem}")
        page = release_in(page)
        observations += page["observations"]
        link = next_page(page)
    rest = {k: v for k, v in payload.items() if k not in ("next", "links", "page", "total_pages")}
    return {**rest, "observations": observations}


# Many government APIs answer an error with HTTP 200 and a body of their own: {"code": 500, "msg": "系统繁忙"}.
# A code of 0 or 200 (or none) is success.
_OK_CODES = frozenset({"0", "200", ""})


def _code(data: dict[str, Any]) -> str:
    """The answer's own status code as text ("" when it gives none); 0 is a code (success), not a missing one."""
    code = data.get("code", data.get("status"))
    return "" if code is None else str(code).strip()


def error_answer(data: object) -> str | None:
    """The error an API answer reports in its body (``{"code":500,"msg":"…"}`` served with HTTP 200), in words;
    None when it is no error answer (a release has an observations list; a code of 0 or 200 says success,
    whatever its message: ``{"code":0,"msg":"success"}``)."""
    if not isinstance(data, dict) or release_in(data) is not None:
        return None
    code = _code(data)
    msg = next((str(data[k]) for k in ("msg", "message", "error", "errmsg") if data.get(k)), "")
    if code in _OK_CODES and (code or not msg):
        return None
    return f"the API answered an error, not a release (code {code or '?'}: {msg or 'no message'})"


def release_in(data: object) -> dict[str, Any] | None:
    """The release an answer holds: the answer itself (an ``observations`` list at its top), or the ``data`` of
    a success envelope (``{"code":0,"msg":"success","data":{release}}``, how many open-data APIs wrap every
    answer); None when it holds none."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("observations"), list):
        return data
    inner = data.get("data")
    if _code(data) in _OK_CODES and isinstance(inner, dict) and isinstance(inner.get("observations"), list):
        return inner
    return None


def sniff_payload(data: object) -> bool:
    return release_in(data) is not None


def parse_payload(
    payload: dict[str, Any], catalog: Catalog, source_file: str, default_release_date: date | None = None
) -> ParseResult:
    """Observations of one API release. ``source_row`` is the 1-based index in ``observations``."""
    result = ParseResult(adapter=NAME)
    ctx = RowContext(catalog, result, source_file, default_release_date)
    payload = release_in(payload) or payload  # a release in a success envelope: its data
    release_date = default_release_date
    try:
        release_date = date.fromisoformat(str(payload.get("release_date", "")))
    except ValueError:
        ctx.error(None, "release_date", f"release_date {payload.get('release_date')!r} is not YYYY-MM-DD")
    prov = str(payload.get("provenance", "") or "")
    ctx.set_release(
        release_date,
        illustrative=prov.lower() == "illustrative" or has_illustrative_marker(prov),
        source_ref=str(payload.get("source_ref") or payload.get("publisher") or ""),
    )
    if link := next_page(payload):  # one page of a paged answer, saved as a file: the others are not in it
        of = f" of {payload['total_pages']}" if payload.get("total_pages") else ""
        result.notes.append(
            f"not loaded, the other pages: this file is page {payload.get('page') or 1}{of} of the API's answer "
            f"(next: {link}); pull the month (pmw's API pull follows the pages) or ingest the other pages too"
        )
    rows = payload.get("observations")
    if not isinstance(rows, list):
        ctx.error(None, "observations", "payload has no observations list")
        return result
    # points served with no value (null, "", or a not-published mark such as "-"): no row, but the office served
    # them, so they are named
    empty: list[str] = []
    for i, item in enumerate(rows, start=1):
        if not isinstance(item, dict):
            ctx.error(i, "", "observation is not an object")
            continue
        measure = str(item.get("measure") or "") or ctx.unstated_measure(
            i, str(item.get("indicator", "")), str(item.get("unit") or "")
        )
        if measure is None:
            continue
        if measure not in MEASURES:
            ctx.error(i, "measure", f"unknown measure {measure!r}")
            continue
        try:
            period = parse_period(str(item.get("period", "")))
        except ValueError as exc:
            ctx.error(i, "period", str(exc))
            continue
        name = str(item.get("indicator", ""))
        if name and ctx.catalog.resolve_indicator(name) is None:
            # an office's API serves every series it publishes: one the warehouse does not track is left out
            # and named, as a 统计月报's rows are, not a reason to refuse the release
            ctx.skip_untracked(i, name)
            continue
        if item.get("value") is None or not str(item["value"]).strip():
            empty.append(f"row {i} ({name} {period.code} {measure})")
            continue
        place = str(item.get("region", ""))
        if ctx.catalog.resolve_region(place) is None and is_park(place):
            # a zone's series (株洲经开区), as a table's row of it: no region holds it, so named, not a refusal
            ctx.result.notes.append(f"row {i} {place}: not read, a park's or zone's figures (no region holds them)")
            continue
        errors_before = len(result.errors)
        added = ctx.add(
            indicator=ctx.indicator_code(name),
            region=ctx.region_code(place),
            subject=str(item.get("subject") or ""),
            period=period,
            measure=measure,
            cell="" if item.get("value") is None else str(item["value"]),
            unit=str(item.get("unit") or ""),
            row=i,
            column="value",
        )
        if added is None and len(result.errors) == errors_before:  # "-", "—", "…": read as not published
            empty.append(f"row {i} ({name} {period.code} {measure}: {str(item['value']).strip()!r})")
    if empty:
        ctx.result.notes.append(f"not loaded, points served with no value (null, empty or '-'): {'; '.join(empty)}")
    # a point served twice with the same value (pages overlapping, a join in the office's query): the office
    # cannot take it out as a file's row, and it is one figure; two values of one point are still refused
    drop_repeats(result, "points the API served twice (the same value)")
    return result
