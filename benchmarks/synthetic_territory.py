"""A synthetic national territory: 3,321 communes (the national count since 1 July 2025) in 34
provinces, with boundaries as detailed as the real ones.

Real commune polygons are not shipped with the project, and 96 units are too few to show how
lookups scale, so the benchmark makes its own. The real file of the 96 units of Quảng Ngãi has
a median of about 1,900 vertices per commune (10th–90th percentile about 970–4,000) and areas of
8–680 km² (median 122 km²); its province outline has about 4,800 vertices. The synthetic
territory matches those figures:

- Voronoi cells around sites scattered over a region the size of Vietnam (about 330,000 km²),
  a quarter of them in clusters, so that town wards are small and mountain communes large;
- every edge densified to a vertex every ~20 m, then the whole plane bent by a smooth warp (a
  sum of sines from 20 km down to 250 m wavelength) so that borders wind like rivers and ridges.
  A warp is one continuous map applied to every polygon, so neighbours keep sharing their
  borders exactly; its displacement gradient stays below 1, so it never folds a polygon onto
  itself and every cell stays valid;
- provinces are unions of neighbouring communes (k-means on the sites), warped the same way but
  densified more coarsely, as real province outlines are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy
import shapely
from shapely.geometry import MultiPoint, box
from shapely.geometry.base import BaseGeometry

COMMUNE_COUNT = 3_321
PROVINCE_COUNT = 34
# About 5.3° × 5.6° at latitude 14°: ~330,000 km², the area of Vietnam. Away from the real data,
# which lives in another database anyway.
REGION_BOUNDS = (103.0, 11.0, 108.3, 16.6)
METRES_PER_DEGREE = 111_320.0
COMMUNE_VERTEX_SPACING_METRES = 20.0
PROVINCE_VERTEX_SPACING_METRES = 110.0
CLUSTERED_SHARE = 0.25
CLUSTER_COUNT = 60
CLUSTER_SPREAD_DEGREES = 0.07
# (amplitude, wavelength) in metres; Σ amplitude·2π/wavelength ≈ 0.63 < 1 keeps the warp
# one-to-one (see the module docstring).
WARP_COMPONENTS = ((500.0, 20_000.0), (150.0, 5_000.0), (30.0, 1_200.0), (5.0, 250.0))
# Coordinates rounded to 1e-7° (about 1 cm), as in the official files: neighbours' shared
# vertices, computed from either side, round to the same value.
COORDINATE_GRID = 1e-7


@dataclass(frozen=True)
class SyntheticTerritory:
    communes: list[shapely.MultiPolygon]
    province_of_commune: list[int]  # index into `provinces`
    provinces: list[shapely.MultiPolygon]


def territory_generate(*, seed: int = 2025) -> SyntheticTerritory:
    generator = numpy.random.default_rng(seed)
    region = box(*REGION_BOUNDS)
    sites = _sites(generator)
    cells = _voronoi_cells(sites, region)
    province_of_site = _kmeans_labels(sites, PROVINCE_COUNT, generator)
    warp = _Warp(generator)

    province_cells: list[list[BaseGeometry]] = [[] for _ in range(PROVINCE_COUNT)]
    for cell, province in zip(cells, province_of_site, strict=True):
        province_cells[province].append(cell)

    communes = [warp.apply(cell, spacing_metres=COMMUNE_VERTEX_SPACING_METRES) for cell in cells]
    provinces = [
        warp.apply(shapely.union_all(parts), spacing_metres=PROVINCE_VERTEX_SPACING_METRES)
        for parts in province_cells
    ]
    return SyntheticTerritory(
        communes=communes,
        province_of_commune=[int(label) for label in province_of_site],
        provinces=provinces,
    )


def _sites(generator: numpy.random.Generator) -> numpy.ndarray:
    west, south, east, north = REGION_BOUNDS
    clustered = int(COMMUNE_COUNT * CLUSTERED_SHARE)
    uniform = generator.uniform((west, south), (east, north), size=(COMMUNE_COUNT - clustered, 2))
    centres = generator.uniform((west, south), (east, north), size=(CLUSTER_COUNT, 2))
    around = centres[generator.integers(0, CLUSTER_COUNT, clustered)] + generator.normal(
        0, CLUSTER_SPREAD_DEGREES, size=(clustered, 2)
    )
    # Clustered sites that fell outside the region are replaced by uniform ones.
    outside = (
        (around[:, 0] <= west) | (around[:, 0] >= east)
        | (around[:, 1] <= south) | (around[:, 1] >= north)
    )  # fmt: skip
    around[outside] = generator.uniform((west, south), (east, north), size=(outside.sum(), 2))
    return numpy.vstack([uniform, around])


def _voronoi_cells(sites: numpy.ndarray, region: BaseGeometry) -> list[BaseGeometry]:
    """One cell per site, in the order of the sites, clipped to the region."""
    diagram = shapely.voronoi_polygons(MultiPoint(sites), extend_to=region, ordered=True)
    return [shapely.intersection(cell, region) for cell in shapely.get_parts(diagram)]


def _kmeans_labels(
    sites: numpy.ndarray, count: int, generator: numpy.random.Generator
) -> numpy.ndarray:
    centres = sites[generator.choice(len(sites), count, replace=False)]
    labels = numpy.zeros(len(sites), dtype=int)
    for _round in range(30):
        distances = ((sites[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = distances.argmin(axis=1)
        for label in range(count):
            members = sites[labels == label]
            if len(members):
                centres[label] = members.mean(axis=0)
    return labels


class _Warp:
    """A smooth bending of the plane: x' = x + Σ a·sin(k·p + φ), the same for every polygon."""

    def __init__(self, generator: numpy.random.Generator) -> None:
        self.terms: list[tuple[float, float, float, float, int]] = []
        for amplitude_metres, wavelength_metres in WARP_COMPONENTS:
            for axis in (0, 1):
                angle = generator.uniform(0, math.pi)
                wave_number = 2 * math.pi / (wavelength_metres / METRES_PER_DEGREE)
                self.terms.append(
                    (
                        amplitude_metres / METRES_PER_DEGREE,
                        wave_number * math.cos(angle),
                        wave_number * math.sin(angle),
                        generator.uniform(0, 2 * math.pi),
                        axis,
                    )
                )

    def _displace(self, coordinates: numpy.ndarray) -> numpy.ndarray:
        moved = coordinates.copy()
        for amplitude, wave_x, wave_y, phase, axis in self.terms:
            moved[:, axis] += amplitude * numpy.sin(
                wave_x * coordinates[:, 0] + wave_y * coordinates[:, 1] + phase
            )
        return moved

    def apply(self, geometry: BaseGeometry, *, spacing_metres: float) -> shapely.MultiPolygon:
        dense = shapely.segmentize(geometry, spacing_metres / METRES_PER_DEGREE)
        bent = shapely.transform(dense, self._displace)
        rounded = shapely.set_precision(bent, COORDINATE_GRID)
        if not rounded.is_valid:
            rounded = shapely.make_valid(rounded)
        polygons = [part for part in shapely.get_parts(rounded) if part.geom_type == "Polygon"]
        return shapely.MultiPolygon(polygons)
