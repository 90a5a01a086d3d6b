"""The plotly.js the report inlines: the partial "basic" build (scatter, bar, pie: all the report
draws), 1.2 MB instead of the full bundle's 4.8 MB with map and 3D code the report never uses.

`make setup` installs it from the npm registry (package plotly.js-basic-dist-min, the same plotly.js
version as the Python plotly package) into .venv/npm/; the settings' plotly_js_path (PMW_PLOTLY_JS)
points at another copy. Without
it the report falls back to the full bundle shipped with the Python package, and says so.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

BASIC_PACKAGE = "plotly.js-basic-dist-min"
BASIC_FILE = "plotly-basic.min.js"
VERSION = re.compile(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class Bundle:
    source: str
    version: str
    partial: bool
    path: Path


def basic_bundle_path(override: Path | None = None) -> Path:
    """``override`` (the settings' plotly_js_path, PMW_PLOTLY_JS) or the copy `make setup` installed."""
    if override:
        return Path(override)
    return Path(sys.prefix) / "npm" / "node_modules" / BASIC_PACKAGE / BASIC_FILE


def load_bundle(override: Path | None = None) -> Bundle:
    """The partial bundle when installed (and of the plotly.js version the Python package writes
    figures for), else the Python package's full bundle."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    wanted = get_plotlyjs_version()
    path = basic_bundle_path(override)
    if path.is_file():
        source = path.read_text(encoding="utf-8")
        found = VERSION.search(source[:400])
        if found and found.group(1) == wanted:
            return Bundle(source=source, version=wanted, partial=True, path=path)
    import plotly

    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return Bundle(source=get_plotlyjs(), version=wanted, partial=False, path=full)


def inline_source(bundle: Bundle) -> str:
    """The bundle's source as the page inlines it (templates/summary.html.j2 puts it in a <script>):
    "</script" cannot occur inside an inline script; plotly.js has none, this keeps it that way."""
    return bundle.source.replace("</script", "<\\/script")
