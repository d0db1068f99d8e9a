"""Following citizen feedback: subscriptions to a report or an area, and the Atom feeds.

- `services.py`, `selectors.py`: what may be followed (a public report, a current area) and who
  follows a report (its own followers, and those of every area covering it);
- `apis.py` (`POST /api/v1/subscriptions/`), `feeds.py` (`/phan-anh/moi.atom`,
  `/khu-vuc/<area_id>/phan-anh.atom`) and their `api_urls.py`, `urls.py`;
- `views.py` and `forms.py`: the "Theo dõi qua e-mail" form of the pages, through the same service
  and limits as the API: an area's page (`/khu-vuc/<area_id>/`, its form posting to
  `/khu-vuc/<area_id>/theo-doi/`), and the part of the tracking page's form
  (`/phan-anh/<code>/theo-doi/`, answered by `incidents.reporter_action_views.follow`) that both forms share.

The subscriptions themselves, their confirm and unsubscribe links and the messages to
followers' addresses belong to the `notifications` app, which knows nothing of reports: a
subscription follows a report or an area through a generic reference.
"""
