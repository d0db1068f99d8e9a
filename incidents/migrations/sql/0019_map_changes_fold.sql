-- The fold of the pending changes into the map grids and the hotspot hexagons, as migration 0019 reverses it (frozen).
    WITH moved AS (DELETE FROM incidents_incidentmapchange RETURNING sign, incident_id, category_id, status, resolve_day, longitude, latitude, exact_longitude, exact_latitude, publicly_visible, area_id, reported_day),
    upserted_0 AS (
        INSERT INTO incidents_incidentmapcell AS summary (zoom, cell_column, cell_row, category_id, status, resolve_day, reports, longitude_total, latitude_total, incident_id_total)
        SELECT band.zoom AS zoom, floor(c.longitude / (90.0::double precision / (2::double precision ^ band.zoom)))::bigint AS cell_column, floor(c.latitude / (90.0::double precision / (2::double precision ^ band.zoom)))::bigint AS cell_row, c.category_id AS category_id, c.status AS status, c.resolve_day AS resolve_day, sum(c.sign * (1)) AS reports, sum(c.sign * (c.exact_longitude)) AS longitude_total, sum(c.sign * (c.exact_latitude)) AS latitude_total, sum(c.sign * (c.incident_id)) AS incident_id_total FROM moved AS c CROSS JOIN unnest(ARRAY[5, 7, 9, 11, 13, 15]::smallint[]) AS band(zoom) WHERE c.publicly_visible GROUP BY 1, 2, 3, 4, 5, 6 HAVING (sum(c.sign * (1)), sum(c.sign * (c.exact_longitude)), sum(c.sign * (c.exact_latitude)), sum(c.sign * (c.incident_id))) <> (0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (zoom, cell_column, cell_row, category_id, status, resolve_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports, longitude_total = summary.longitude_total + EXCLUDED.longitude_total, latitude_total = summary.latitude_total + EXCLUDED.latitude_total, incident_id_total = summary.incident_id_total + EXCLUDED.incident_id_total
        RETURNING summary.id, summary.reports
    ),
    upserted_1 AS (
        INSERT INTO incidents_incidentmapoverviewcell AS summary (zoom, cell_column, cell_row, status, resolve_day, reports, longitude_total, latitude_total, incident_id_total)
        SELECT band.zoom AS zoom, floor(c.longitude / (90.0::double precision / (2::double precision ^ band.zoom)))::bigint AS cell_column, floor(c.latitude / (90.0::double precision / (2::double precision ^ band.zoom)))::bigint AS cell_row, c.status AS status, c.resolve_day AS resolve_day, sum(c.sign * (1)) AS reports, sum(c.sign * (c.exact_longitude)) AS longitude_total, sum(c.sign * (c.exact_latitude)) AS latitude_total, sum(c.sign * (c.incident_id)) AS incident_id_total FROM moved AS c CROSS JOIN unnest(ARRAY[5, 7, 9, 11, 13, 15]::smallint[]) AS band(zoom) WHERE c.publicly_visible GROUP BY 1, 2, 3, 4, 5 HAVING (sum(c.sign * (1)), sum(c.sign * (c.exact_longitude)), sum(c.sign * (c.exact_latitude)), sum(c.sign * (c.incident_id))) <> (0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (zoom, cell_column, cell_row, status, resolve_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports, longitude_total = summary.longitude_total + EXCLUDED.longitude_total, latitude_total = summary.latitude_total + EXCLUDED.latitude_total, incident_id_total = summary.incident_id_total + EXCLUDED.incident_id_total
        RETURNING summary.id, summary.reports
    ),
    upserted_2 AS (
        INSERT INTO incidents_incidenthotspotcell AS summary (day, hexagon_column, hexagon_row, category_id, area_id, reports)
        SELECT c.reported_day AS day, hexagon.q AS hexagon_column, hexagon.r AS hexagon_row, c.category_id AS category_id, c.area_id AS area_id, sum(c.sign * (1)) AS reports FROM moved AS c CROSS JOIN LATERAL (
    SELECT CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs
                ELSE rq END::integer AS q,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
                WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs
                ELSE rr END::integer AS r
    FROM (SELECT q, r, -q - r AS s, round(q) AS rq, round(r) AS rr, round(-q - r) AS rs
          FROM (SELECT '0.6666666666666666'::double precision * x AS q,
                       '-0.3333333333333333'::double precision * x + '0.5773502691896257'::double precision * y AS r
                FROM (SELECT c.longitude * '107271.3420511839'::double precision
                             / '1000.0'::double precision AS x,
                             c.latitude * '110574.0'::double precision
                             / '1000.0'::double precision AS y) AS plane
               ) AS axial
         ) AS rounded
) AS hexagon WHERE true GROUP BY 1, 2, 3, 4, 5 HAVING (sum(c.sign * (1))) <> (0) ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, hexagon_column, hexagon_row, category_id, area_id) DO UPDATE SET reports = summary.reports + EXCLUDED.reports
        RETURNING summary.id, summary.reports
    )
    SELECT (SELECT count(*) FROM moved), (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_0), (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_1), (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_2);
DELETE FROM incidents_incidentmapcell WHERE reports = 0;
DELETE FROM incidents_incidentmapoverviewcell WHERE reports = 0;
DELETE FROM incidents_incidenthotspotcell WHERE reports = 0;
