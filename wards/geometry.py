"""Geometry helpers for areas: conversions between shapely and GEOS, measures on the ellipsoid."""

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

WGS84_ELLIPSOID = Geod(ellps="WGS84")


def ellipsoidal_area_km2(geometry: BaseGeometry) -> float:
    """Area on the WGS 84 ellipsoid in km², whatever the ring orientation."""
    area_m2, _perimeter = WGS84_ELLIPSOID.geometry_area_perimeter(geometry)
    return abs(area_m2) / 1_000_000


def to_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """A GEOS MultiPolygon in SRID 4326 from a shapely Polygon or MultiPolygon."""
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    multipolygon = GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=4326)
    # GEOSGeometry() answers an instance of the matching subclass; anything but a MultiPolygon
    # here means the caller passed a geometry that is not an area.
    if not isinstance(multipolygon, MultiPolygon):
        raise TypeError(f"expected a Polygon or MultiPolygon, got {geometry.geom_type}")
    return multipolygon


def label_point_of(geometry: BaseGeometry) -> Point:
    """A point guaranteed inside the area (unlike the centroid of a crescent or an archipelago)."""
    point = geometry.point_on_surface()
    return Point(point.x, point.y, srid=4326)


def to_shapely(geometry: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geometry.wkb))
