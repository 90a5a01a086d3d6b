"""The API client against a real local HTTP server (127.0.0.1, ephemeral port, background thread)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dagster_project.ingest.http_api import ApiError, fetch_release, make_session

PAYLOAD = {
    "release_id": "api-2022-05",
    "publisher": "株洲市统计局",
    "release_date": "2022-06-20",
    "provenance": "illustrative",
    "observations": [
        {
            "indicator": "固定资产投资",
            "region": "430200",
            "period": "2022年1-5月",
            "measure": "yoy_pct",
            "value": "9.1",
            "unit": "%",
        }
    ],
}

Responder = Callable[[int, str], tuple[int, dict[str, object] | None]]


@pytest.fixture
def server() -> Iterator[Callable[[Responder], tuple[str, list[str]]]]:
    """Start a server whose n-th answer is decided by a responder(n, path) -> (status, json body)."""
    servers: list[ThreadingHTTPServer] = []

    def start(responder: Responder) -> tuple[str, list[str]]:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                seen.append(self.path)
                status, body = responder(len(seen), self.path)
                data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}", seen

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_retries_a_503_then_succeeds(server: Callable[[Responder], tuple[str, list[str]]]) -> None:
    base, seen = server(lambda n, _: (503, {"error": "busy"}) if n == 1 else (200, PAYLOAD))
    got = fetch_release("2022-05", base, session=make_session(retries=3, backoff_factor=0.01), timeout=5)
    assert got == PAYLOAD
    assert seen == ["/api/v1/releases?month=2022-05"] * 2  # one failure, one retry


def test_404_means_not_released_yet(server: Callable[[Responder], tuple[str, list[str]]]) -> None:
    base, seen = server(lambda n, _: (404, {"error": "not found"}))
    assert fetch_release("2030-01", base, session=make_session(backoff_factor=0.01), timeout=5) is None
    assert len(seen) == 1  # a 404 is not retried


def test_persistent_5xx_raises_after_retries(server: Callable[[Responder], tuple[str, list[str]]]) -> None:
    base, seen = server(lambda n, _: (500, None))
    with pytest.raises(ApiError, match="500"):
        fetch_release("2022-05", base, session=make_session(retries=2, backoff_factor=0.01), timeout=5)
    assert len(seen) == 3  # first try + 2 retries


def test_connection_refused_raises_api_error() -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ApiError, match="failed after retries"):
        fetch_release(
            "2022-05",
            f"http://127.0.0.1:{port}",
            session=make_session(retries=1, backoff_factor=0.01),
            timeout=2,
        )


def test_base_url_from_the_settings(
    server: Callable[[Responder], tuple[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base URL is the settings' stats_api_url (PMW_STATS_API_URL read once, by load_settings);
    the API client never reads the environment itself."""
    from dagster_project.settings import load_settings

    base, _ = server(lambda n, _: (200, PAYLOAD))
    monkeypatch.setenv("PMW_STATS_API_URL", base + "/")
    url = load_settings().stats_api_url
    monkeypatch.delenv("PMW_STATS_API_URL")  # read once: the client does not look again
    assert fetch_release("2022-05", url, session=make_session(backoff_factor=0.01))["release_id"] == "api-2022-05"
    with pytest.raises(ApiError, match="no API base URL"):
        fetch_release("2022-05", load_settings().stats_api_url)


def test_an_error_served_with_200_is_a_failed_pull_naming_its_message(
    server: Callable[[Responder], tuple[str, list[str]]],
) -> None:
    # {"code":500,"msg":"系统繁忙"} with HTTP 200 came back as the month's release: the run quarantined it as
    # "payload has no observations list", as if the office had published a broken release
    base, _ = server(lambda n, _: (200, {"code": 500, "msg": "系统繁忙，请稍后再试", "data": None}))
    with pytest.raises(ApiError, match=r"answered an error, not a release \(code 500: 系统繁忙，请稍后再试\)"):
        fetch_release("2023-08", base, session=make_session(backoff_factor=0.01), timeout=5)


def test_an_error_answer_saved_as_a_file_is_refused_naming_its_message(landing, qdir, con, catalog) -> None:
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file

    path = landing / "api_2023-08.json"
    path.write_text(json.dumps({"code": 500, "msg": "系统繁忙，请稍后再试"}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert result.status == "quarantined"
    assert "answered an error, not a release (code 500: 系统繁忙，请稍后再试)" in result.errors[0].reason


def test_an_empty_answer_saved_as_a_file_is_refused_in_an_answers_words(landing, qdir, con, catalog) -> None:
    # trial s58: refused as "the file has no data rows (header only, or every cell empty)", a table's words
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file

    path = landing / "api_2023-10.json"
    path.write_text(json.dumps({**PAYLOAD, "code": 0, "msg": "查询成功", "total": 0, "observations": []}))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert result.status == "quarantined"
    assert result.errors[0].reason == (
        "no observations: the answer's observations list is empty (the API served no points)"
    ), result.errors[0].reason


def test_a_paged_answer_is_pulled_whole_following_its_next_links(
    server: Callable[[Responder], tuple[str, list[str]]],
) -> None:
    # Only the first page came back (its next link was not followed): the month loaded part of its release
    second = {**PAYLOAD["observations"][0], "indicator": "规模以上工业增加值", "value": "7.9"}

    def pages(n: int, path: str) -> tuple[int, dict[str, object]]:
        if "page=2" in path:
            return 200, {"observations": [second], "page": 2, "total_pages": 2, "next": None}
        return 200, {**PAYLOAD, "page": 1, "total_pages": 2, "next": "/api/v1/releases?month=2022-05&page=2"}

    base, seen = server(pages)
    got = fetch_release("2022-05", base, session=make_session(backoff_factor=0.01), timeout=5)
    assert seen == ["/api/v1/releases?month=2022-05", "/api/v1/releases?month=2022-05&page=2"]
    assert got is not None and got["observations"] == [*PAYLOAD["observations"], second]
    assert "next" not in got and got["release_date"] == "2022-06-20"


def test_next_links_that_loop_fail_the_pull(server: Callable[[Responder], tuple[str, list[str]]]) -> None:
    base, _ = server(lambda n, _: (200, {**PAYLOAD, "next": "/api/v1/releases?month=2022-05&page=2"}))
    with pytest.raises(ApiError, match="next links loop"):
        fetch_release("2022-05", base, session=make_session(backoff_factor=0.01), timeout=5)


def test_one_page_saved_as_a_file_loads_and_says_the_other_pages_are_missing(landing, qdir, con, catalog) -> None:
    # page 1 of 2 loaded as if it were the month's whole release, with no word of page 2
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file, notes_to_show

    path = landing / "api_2022-05_p1.json"
    page = {**PAYLOAD, "page": 1, "total_pages": 2, "next": "https://tjj.example/api/v1/releases?month=2022-05&page=2"}
    path.write_text(json.dumps(page, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors
    [note] = [n for n in notes_to_show(result.notes) if "other pages" in n]
    assert "page 1 of 2 of the API's answer (next: https://tjj.example/" in note


def test_a_point_served_twice_loads_once_and_two_values_of_one_point_are_refused(landing, qdir, con, catalog) -> None:
    # A point the API served twice with the same value refused the whole month as "the same figure given twice",
    # which the office cannot fix by deleting a row
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file, notes_to_show

    point = PAYLOAD["observations"][0]
    path = landing / "api_2022-05.json"
    path.write_text(json.dumps({**PAYLOAD, "observations": [point, point]}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors
    assert any("served twice" in n and "row 2 repeats row 1" in n for n in notes_to_show(result.notes))
    path = landing / "api_2022-05b.json"
    other = {**point, "value": "9.3"}
    path.write_text(json.dumps({**PAYLOAD, "observations": [point, other]}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert result.status == "quarantined" and "which is right?" in result.errors[0].reason


def test_a_point_served_with_no_value_is_named(landing, qdir, con, catalog) -> None:
    # A point the API served with "value": null (or "") produced no row and no word: the office's series for
    # that month looked complete
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file, notes_to_show

    point = PAYLOAD["observations"][0]
    empty = {**point, "indicator": "进出口总额", "period": "2022-05", "measure": "value", "value": None, "unit": "亿元"}
    path = landing / "api_2022-05.json"
    path.write_text(json.dumps({**PAYLOAD, "observations": [point, empty]}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors
    [note] = [n for n in notes_to_show(result.notes) if "no value" in n]
    assert "row 2 (进出口总额 2022-05 value)" in note, note


def test_a_zone_s_point_is_named_and_the_rest_of_the_release_loads(landing, qdir, con, catalog) -> None:
    # a point of 株洲经开区 refused the whole pull as "unknown region", where a table's row of a zone is
    # left out with a note
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file, notes_to_show

    point = PAYLOAD["observations"][0]
    zone = {**point, "region": "株洲经开区"}
    path = landing / "api_zone.json"
    path.write_text(json.dumps({**PAYLOAD, "observations": [point, zone]}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors
    assert "row 2 株洲经开区: not read, a park's or zone's figures" in " ".join(notes_to_show(result.notes))


def test_a_release_in_a_success_envelope_is_read_and_a_success_message_is_no_error(
    server: Callable[[Responder], tuple[str, list[str]]], landing, qdir, con, catalog
) -> None:
    # {"code":0,"msg":"success","data":{release}}, the envelope many open-data APIs wrap every answer in, was
    # refused as "the API answered an error, not a release (code ?: success)": code 0 was read as no code and
    # the success message as the error's
    from datetime import date

    from dagster_project.ingest.http_api import error_answer
    from dagster_project.ingest.pipeline import ingest_file

    wrapped = {"code": 0, "msg": "success", "data": PAYLOAD}
    assert error_answer({"code": 0, "msg": "查询成功", "data": None}) is None
    assert error_answer({"code": "200", "message": "OK"}) is None
    base, _ = server(lambda n, _: (200, wrapped))
    got = fetch_release("2022-05", base, session=make_session(backoff_factor=0.01), timeout=5)
    assert got is not None and got["observations"] == PAYLOAD["observations"]
    assert got["release_date"] == "2022-06-20"
    path = landing / "api_2022-05.json"
    path.write_text(json.dumps(wrapped, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors


def test_a_point_served_as_a_not_published_mark_is_named(landing, qdir, con, catalog) -> None:
    # "value": "-" (or "—") is "not published", as null is: it gave no row and, unlike null, no word either
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file, notes_to_show

    point = PAYLOAD["observations"][0]
    dash = {**point, "indicator": "税收收入", "value": "-"}
    long_dash = {**point, "indicator": "规模工业增加值", "value": "—"}
    path = landing / "api_2022-05.json"
    path.write_text(json.dumps({**PAYLOAD, "observations": [point, dash, long_dash]}, ensure_ascii=False))
    result = ingest_file(path, con, qdir, date(2026, 1, 1), catalog=catalog)
    assert (result.status, result.row_count) == ("loaded", 1), result.errors
    [note] = [n for n in notes_to_show(result.notes) if "no value" in n]
    assert "row 2 (税收收入 2022-01~05 yoy_pct: '-')" in note and "row 3 (规模工业增加值" in note, note


def test_a_pulled_month_with_no_points_is_refused_not_loaded_empty(con, qdir, catalog) -> None:
    # {"code":0,"observations":[],"total":0} pulled for a month was recorded as a loaded release of 0 figures,
    # with no word, where a file with no figures is refused
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_payload

    empty = {**PAYLOAD, "code": 0, "msg": "查询成功", "total": 0, "observations": []}
    result = ingest_payload(empty, con, qdir, date(2026, 1, 1), catalog=catalog, source_url="http://x/?month=2022-05")
    assert result.status == "quarantined"
    assert "no observations" in result.errors[0].reason and "served no points" in result.errors[0].reason
