"""What citizen feedback tells whom when a report changes, in which words.

- `texts.py`: the kinds of message, their subjects and the facts they may show (a message's body
  is `templates/incidents/messages/<kind>.txt`);
- `planning.py`: who is told what, for each hook of `incidents/notifications.py`.

The messages are delivered by the `notifications` app (its outbox), which knows nothing of
reports: this package names the subject of each message and composes its words.
"""
