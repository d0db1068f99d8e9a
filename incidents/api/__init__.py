"""REST interface of citizen feedback, at /api/v1/: parse, call one service or selector, render.

| module | what |
|---|---|
| `public.py` | anyone: categories, filing, the public GeoJSON list, one report, duplicates nearby, photo metadata, support; the reporter's rate, reopen and information |
| `staff.py` | officials (session, token or API key): their units' reports, one operation per workflow step |
| `output.py` | what both render of a report, its area, unit, photos and events |
| `urls.py` | the routes |

Public endpoints never render a reporter's name, phone, email or token (except the token, once, to
the reporter who filed the report), internal events, hidden texts or photos, or EXIF data. Staff
endpoints are scoped to the caller's units (leaders and administrators: everything) and render a
reporter's contact only to staff with a role on that report.
"""
