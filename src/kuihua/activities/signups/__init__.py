"""Sign-ups: who gets a place, who waits, who is offered a place left free.

services.py decides (the database decides, not a count read before an insert:
docs/adr/0004-signups.md); selectors.py reads positions and lists; api.py and
schemas.py are the JSON side. The lock order for places is activities/lock_objects.py.
"""
