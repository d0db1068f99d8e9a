"""The communes' outlines as the low-zoom tiles draw them, kept ready: for zooms 0–7 every commune's
geometry in each tile it reaches, already simplified, projected and clipped by ST_AsMVTGeom.

A zoom-5 tile holds all 3,321 communes of the country: simplifying, projecting and clipping
their outlines took some 27 ms of the tile's 56 (docs/benchmarks.md), on every tile built. Here
that work is done once per commune when it is written: the tile then only looks its rows up and
encodes them. The rows are exactly what `opendata.tile_selectors` would compute from the
`opendata_commune` view (the same outline, tolerance, box with its 64-unit margin and clipping),
which tests/opendata/test_tile_outlines.py compares tile by tile.

Triggers on `wards_area` keep it: a commune inserted, updated in anything a tile shows (its
boundary, code, name, type, validity or level), deleted or truncated changes its rows in the same
statement; other updates of areas cost a comparison. Public data only (the view's columns).
"""

from django.db import migrations

# The zooms kept ready: 0 to TILE_OUTLINES_UNTIL_ZOOM (opendata.tile_selectors reads it).
TILE_OUTLINES_UNTIL_ZOOM = 7
# Half the side of Web Mercator's square world, in metres (ST_TileEnvelope's default bounds).
_HALF_WORLD = "20037508.342789244"
# A tile's margin as a share of its side, and a little more for the box's rounding: the exact
# test is the tile's box against the commune's, as opendata.tile_selectors makes it.
_MARGIN = "(64.0 / 4096 + 0.001)"

FORWARD = f"""
CREATE TABLE opendata_commune_tile_outline (
    zoom smallint NOT NULL,
    tile_x integer NOT NULL,
    tile_y integer NOT NULL,
    area_id bigint NOT NULL,
    code varchar(10) NOT NULL,
    name varchar(200) NOT NULL,
    area_type varchar(30) NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    geometry geometry NOT NULL,
    PRIMARY KEY (zoom, tile_x, tile_y, area_id)
);
CREATE INDEX opendata_commune_tile_outline_area ON opendata_commune_tile_outline (area_id);

-- PL/pgSQL so that the statement's plan is kept for the session (a SQL function plans it on every
-- call: 30 ms for a commune written in a few); without JIT, as the planner prices the tile
-- series at a thousand rows each and would compile the statement for over a second.
CREATE FUNCTION opendata_commune_tile_outlines_write(area_ids bigint[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    DELETE FROM opendata_commune_tile_outline WHERE area_id = ANY (area_ids);
    INSERT INTO opendata_commune_tile_outline
        (zoom, tile_x, tile_y, area_id, code, name, area_type, valid_from, valid_to, geometry)
    SELECT zoom, tile_x, tile_y, a.id, a.code, a.name, a.area_type, a.valid_from, a.valid_to,
           tile.geometry
    FROM wards_area a
    CROSS JOIN generate_series(0, {TILE_OUTLINES_UNTIL_ZOOM}) AS zoom
    CROSS JOIN LATERAL (
        SELECT ST_Transform(ST_Envelope(a.boundary), 3857) AS box,
               2 * {_HALF_WORLD} / (2 ^ zoom) AS side, (2 ^ zoom)::integer - 1 AS last
    ) AS world
    CROSS JOIN LATERAL generate_series(
        greatest(0, floor((ST_XMin(world.box) + {_HALF_WORLD}) / world.side - {_MARGIN})::integer),
        least(world.last,
              floor((ST_XMax(world.box) + {_HALF_WORLD}) / world.side + {_MARGIN})::integer)
    ) AS tile_x
    CROSS JOIN LATERAL generate_series(
        greatest(0, floor(({_HALF_WORLD} - ST_YMax(world.box)) / world.side - {_MARGIN})::integer),
        least(world.last,
              floor(({_HALF_WORLD} - ST_YMin(world.box)) / world.side + {_MARGIN})::integer)
    ) AS tile_y
    CROSS JOIN LATERAL (
        SELECT ST_AsMVTGeom(
            ST_Transform(ST_Simplify(a.outline, 360.0 / (2 ^ zoom) / 4096, true), 3857),
            ST_TileEnvelope(zoom, tile_x, tile_y), 4096, 64, true) AS geometry
    ) AS tile
    WHERE a.id = ANY (area_ids) AND a.level = 'commune'
      AND a.boundary && ST_Transform(
          ST_TileEnvelope(zoom, tile_x, tile_y, margin => 64.0 / 4096), 4326)
      AND tile.geometry IS NOT NULL;
END;
$$;

CREATE FUNCTION opendata_commune_tile_outlines_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM opendata_commune_tile_outlines_write(
        ARRAY(SELECT id FROM inserted_areas WHERE level = 'commune'));
    RETURN NULL;
END;
$$;

CREATE FUNCTION opendata_commune_tile_outlines_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM opendata_commune_tile_outlines_write(ARRAY(
        SELECT n.id FROM updated_areas n JOIN areas_before o ON o.id = n.id
        WHERE (n.level = 'commune' OR o.level = 'commune')
          AND ((n.code, n.name, n.area_type, n.level, n.valid_from, n.valid_to)
                   IS DISTINCT FROM (o.code, o.name, o.area_type, o.level, o.valid_from, o.valid_to)
               OR NOT ST_OrderingEquals(n.boundary, o.boundary))));
    RETURN NULL;
END;
$$;

CREATE FUNCTION opendata_commune_tile_outlines_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM opendata_commune_tile_outline
    WHERE area_id IN (SELECT id FROM deleted_areas WHERE level = 'commune');
    RETURN NULL;
END;
$$;

CREATE FUNCTION opendata_commune_tile_outlines_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE opendata_commune_tile_outline;
    RETURN NULL;
END;
$$;

CREATE TRIGGER opendata_commune_tile_outlines_inserted AFTER INSERT ON wards_area
REFERENCING NEW TABLE AS inserted_areas
FOR EACH STATEMENT EXECUTE FUNCTION opendata_commune_tile_outlines_inserted();
CREATE TRIGGER opendata_commune_tile_outlines_updated AFTER UPDATE ON wards_area
REFERENCING OLD TABLE AS areas_before NEW TABLE AS updated_areas
FOR EACH STATEMENT EXECUTE FUNCTION opendata_commune_tile_outlines_updated();
CREATE TRIGGER opendata_commune_tile_outlines_deleted AFTER DELETE ON wards_area
REFERENCING OLD TABLE AS deleted_areas
FOR EACH STATEMENT EXECUTE FUNCTION opendata_commune_tile_outlines_deleted();
CREATE TRIGGER opendata_commune_tile_outlines_truncated AFTER TRUNCATE ON wards_area
FOR EACH STATEMENT EXECUTE FUNCTION opendata_commune_tile_outlines_truncated();

SELECT opendata_commune_tile_outlines_write(
    ARRAY(SELECT id FROM wards_area WHERE level = 'commune'));
ANALYZE opendata_commune_tile_outline;
"""

BACKWARD = """
DROP TRIGGER opendata_commune_tile_outlines_inserted ON wards_area;
DROP TRIGGER opendata_commune_tile_outlines_updated ON wards_area;
DROP TRIGGER opendata_commune_tile_outlines_deleted ON wards_area;
DROP TRIGGER opendata_commune_tile_outlines_truncated ON wards_area;
DROP FUNCTION opendata_commune_tile_outlines_inserted();
DROP FUNCTION opendata_commune_tile_outlines_updated();
DROP FUNCTION opendata_commune_tile_outlines_deleted();
DROP FUNCTION opendata_commune_tile_outlines_truncated();
DROP FUNCTION opendata_commune_tile_outlines_write(bigint[]);
DROP TABLE opendata_commune_tile_outline;
"""


class Migration(migrations.Migration):
    dependencies = [("opendata", "0006_commune_outline_in_public_view")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
