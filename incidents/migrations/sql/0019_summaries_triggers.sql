-- The summaries' triggers as migration 0019 installs them (frozen: incidents.summaries changes).
CREATE FUNCTION incidents_summaries_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    statement_done integer;
BEGIN

    WITH signed AS ((SELECT 1 AS sign, * FROM new_rows)),
    upserted_0 AS (
        INSERT INTO incidents_incidentdailysummary AS summary (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day, reports, resolved, resolved_on_time, rated, rating_total, satisfied)
        SELECT (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, c.area_id AS area_id, c.agency_id AS agency_id, c.category_id AS category_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, sum(c.sign * (1)) AS reports, sum(c.sign * ((c.resolved_at IS NOT NULL)::int)) AS resolved, sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)) AS resolved_on_time, sum(c.sign * ((c.rating IS NOT NULL)::int)) AS rated, sum(c.sign * (coalesce(c.rating, 0))) AS rating_total, sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int)) AS satisfied FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING (sum(c.sign * (1)), sum(c.sign * ((c.resolved_at IS NOT NULL)::int)), sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)), sum(c.sign * ((c.rating IS NOT NULL)::int)), sum(c.sign * (coalesce(c.rating, 0))), sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int))) <> (0, 0, 0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports, resolved = summary.resolved + EXCLUDED.resolved, resolved_on_time = summary.resolved_on_time + EXCLUDED.resolved_on_time, rated = summary.rated + EXCLUDED.rated, rating_total = summary.rating_total + EXCLUDED.rating_total, satisfied = summary.satisfied + EXCLUDED.satisfied
    ),
    upserted_1 AS (
        INSERT INTO incidents_incidentunitsummary AS summary (agency_id, status, publicly_visible, resolve_day, deadline_day, reports)
        SELECT c.agency_id AS agency_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.current_deadline AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS deadline_day, sum(c.sign * (1)) AS reports FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5 HAVING (sum(c.sign * (1))) <> (0) ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (agency_id, status, publicly_visible, resolve_day, deadline_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports
    ),
    map_changed AS (
        INSERT INTO incidents_incidentmapchange (sign, incident_id, category_id, status, resolve_day, longitude, latitude, exact_longitude, exact_latitude, publicly_visible, area_id, reported_day)
        SELECT c.sign, c.id, c.category_id, c.status, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END, ST_X(c.location), ST_Y(c.location), round(ST_X(c.location)::numeric, 12), round(ST_Y(c.location)::numeric, 12), (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')), c.area_id, (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM signed AS c
    )
    SELECT 1 INTO statement_done;

    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_insert
    AFTER INSERT ON incidents_incident
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_insert();

CREATE FUNCTION incidents_summaries_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied_0 bigint[];
    emptied_1 bigint[];
BEGIN

    WITH signed AS ((SELECT -1 AS sign, * FROM old_rows)),
    upserted_0 AS (
        INSERT INTO incidents_incidentdailysummary AS summary (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day, reports, resolved, resolved_on_time, rated, rating_total, satisfied)
        SELECT (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, c.area_id AS area_id, c.agency_id AS agency_id, c.category_id AS category_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, sum(c.sign * (1)) AS reports, sum(c.sign * ((c.resolved_at IS NOT NULL)::int)) AS resolved, sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)) AS resolved_on_time, sum(c.sign * ((c.rating IS NOT NULL)::int)) AS rated, sum(c.sign * (coalesce(c.rating, 0))) AS rating_total, sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int)) AS satisfied FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING (sum(c.sign * (1)), sum(c.sign * ((c.resolved_at IS NOT NULL)::int)), sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)), sum(c.sign * ((c.rating IS NOT NULL)::int)), sum(c.sign * (coalesce(c.rating, 0))), sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int))) <> (0, 0, 0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports, resolved = summary.resolved + EXCLUDED.resolved, resolved_on_time = summary.resolved_on_time + EXCLUDED.resolved_on_time, rated = summary.rated + EXCLUDED.rated, rating_total = summary.rating_total + EXCLUDED.rating_total, satisfied = summary.satisfied + EXCLUDED.satisfied
        RETURNING summary.id, summary.reports
    ),
    upserted_1 AS (
        INSERT INTO incidents_incidentunitsummary AS summary (agency_id, status, publicly_visible, resolve_day, deadline_day, reports)
        SELECT c.agency_id AS agency_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.current_deadline AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS deadline_day, sum(c.sign * (1)) AS reports FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5 HAVING (sum(c.sign * (1))) <> (0) ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (agency_id, status, publicly_visible, resolve_day, deadline_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports
        RETURNING summary.id, summary.reports
    ),
    map_changed AS (
        INSERT INTO incidents_incidentmapchange (sign, incident_id, category_id, status, resolve_day, longitude, latitude, exact_longitude, exact_latitude, publicly_visible, area_id, reported_day)
        SELECT c.sign, c.id, c.category_id, c.status, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END, ST_X(c.location), ST_Y(c.location), round(ST_X(c.location)::numeric, 12), round(ST_Y(c.location)::numeric, 12), (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')), c.area_id, (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM signed AS c
    )
    SELECT (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_0), (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_1)
    INTO emptied_0, emptied_1;

    IF cardinality(emptied_0) > 0 THEN
        DELETE FROM incidents_incidentdailysummary WHERE id = ANY(emptied_0);
    END IF;
    IF cardinality(emptied_1) > 0 THEN
        DELETE FROM incidents_incidentunitsummary WHERE id = ANY(emptied_1);
    END IF;

    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_delete
    AFTER DELETE ON incidents_incident
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_delete();

CREATE FUNCTION incidents_summaries_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied_0 bigint[];
    emptied_1 bigint[];
BEGIN

    WITH signed AS ((SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows)),
    upserted_0 AS (
        INSERT INTO incidents_incidentdailysummary AS summary (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day, reports, resolved, resolved_on_time, rated, rating_total, satisfied)
        SELECT (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, c.area_id AS area_id, c.agency_id AS agency_id, c.category_id AS category_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, sum(c.sign * (1)) AS reports, sum(c.sign * ((c.resolved_at IS NOT NULL)::int)) AS resolved, sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)) AS resolved_on_time, sum(c.sign * ((c.rating IS NOT NULL)::int)) AS rated, sum(c.sign * (coalesce(c.rating, 0))) AS rating_total, sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int)) AS satisfied FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING (sum(c.sign * (1)), sum(c.sign * ((c.resolved_at IS NOT NULL)::int)), sum(c.sign * ((c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int)), sum(c.sign * ((c.rating IS NOT NULL)::int)), sum(c.sign * (coalesce(c.rating, 0))), sum(c.sign * ((coalesce(c.rating, 0) >= 4)::int))) <> (0, 0, 0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (day, area_id, agency_id, category_id, status, publicly_visible, resolve_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports, resolved = summary.resolved + EXCLUDED.resolved, resolved_on_time = summary.resolved_on_time + EXCLUDED.resolved_on_time, rated = summary.rated + EXCLUDED.rated, rating_total = summary.rating_total + EXCLUDED.rating_total, satisfied = summary.satisfied + EXCLUDED.satisfied
        RETURNING summary.id, summary.reports
    ),
    upserted_1 AS (
        INSERT INTO incidents_incidentunitsummary AS summary (agency_id, status, publicly_visible, resolve_day, deadline_day, reports)
        SELECT c.agency_id AS agency_id, c.status AS status, (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')) AS publicly_visible, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS resolve_day, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.current_deadline AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END AS deadline_day, sum(c.sign * (1)) AS reports FROM signed AS c  WHERE true GROUP BY 1, 2, 3, 4, 5 HAVING (sum(c.sign * (1))) <> (0) ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (agency_id, status, publicly_visible, resolve_day, deadline_day) DO UPDATE SET reports = summary.reports + EXCLUDED.reports
        RETURNING summary.id, summary.reports
    ),
    map_changed AS (
        INSERT INTO incidents_incidentmapchange (sign, incident_id, category_id, status, resolve_day, longitude, latitude, exact_longitude, exact_latitude, publicly_visible, area_id, reported_day)
        SELECT sum(c.sign), c.id, c.category_id, c.status, CASE WHEN c.status IN ('acknowledged', 'answered', 'in_progress', 'information_requested', 'new') THEN (c.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ELSE DATE '0001-01-01' END, ST_X(c.location), ST_Y(c.location), round(ST_X(c.location)::numeric, 12), round(ST_Y(c.location)::numeric, 12), (c.is_public AND NOT (c.status = 'rejected' AND c.rejection_reason = 'spam')), c.area_id, (c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM signed AS c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 HAVING sum(c.sign) <> 0
    )
    SELECT (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_0), (SELECT coalesce(array_agg(id) FILTER (WHERE reports = 0), '{}') FROM upserted_1)
    INTO emptied_0, emptied_1;

    IF cardinality(emptied_0) > 0 THEN
        DELETE FROM incidents_incidentdailysummary WHERE id = ANY(emptied_0);
    END IF;
    IF cardinality(emptied_1) > 0 THEN
        DELETE FROM incidents_incidentunitsummary WHERE id = ANY(emptied_1);
    END IF;

    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_update
    AFTER UPDATE ON incidents_incident
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_update();

CREATE FUNCTION incidents_summaries_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM incidents_incidentdailysummary;
    DELETE FROM incidents_incidentunitsummary;
    DELETE FROM incidents_incidentmapcell;
    DELETE FROM incidents_incidentmapoverviewcell;
    DELETE FROM incidents_incidenthotspotcell;
    DELETE FROM incidents_incidentmapchange;

    RETURN NULL;
END $$;
CREATE TRIGGER incidents_summaries_after_truncate
    AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_summaries_after_truncate();
