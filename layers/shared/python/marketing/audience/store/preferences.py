"""How a subscriber's email preferences are stored: on the subscriber, and as they were after each
entry of the consent log."""

from pynamodb.attributes import BooleanAttribute, MapAttribute


class PreferencesAttribute(MapAttribute):
    transactional = BooleanAttribute(default=True)
    promotional = BooleanAttribute(default=True)
    newsletter = BooleanAttribute(default=True)
