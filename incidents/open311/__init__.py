"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), at /open311/v2/.

| module | what |
|---|---|
| `urls.py` | the resources: discovery, services, service definitions, requests, tokens |
| `views.py` | parse the form or query, call one selector or the filing service, render |
| `selectors.py` | services and requests as the specification names their fields (public data only) |
| `formats.py` | the XML and JSON documents, dates in W3C format, the error list |

The choices made where the specification is loose are in docs/open311.md.
"""
