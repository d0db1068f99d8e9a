"""Database access shared by the apps' hand-written statements."""

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


def server_binding_cursor() -> CursorWrapper:
    """A Django cursor whose statements psycopg may prepare on the server.

    For the hand-written statements that run on every lookup or every filed report (here, and
    in incidents and notifications). Django's own cursors bind parameters on the client, so
    PostgreSQL plans each statement anew: 0.4 ms of planning for 0.2 ms of execution for the
    routing statement. On a cursor that binds on the server, psycopg prepares a statement once
    it has run `prepare_threshold` times on the connection (settings: DATABASE_PREPARE_THRESHOLD).
    Django's wrapper still reports the statement to execute wrappers and the query log, and
    turns errors into django.db errors.
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    # django-stubs types the argument as Django's own wrapper, but Django passes the driver's
    # cursor here (as BaseDatabaseWrapper._cursor does with create_cursor()).
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return connection.make_cursor(cursor)  # type: ignore[arg-type]
