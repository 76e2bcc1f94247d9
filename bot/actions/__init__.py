"""Rasa custom actions: thin adapters that read slots, call the core, and reply.

The action server loads this package: `rasa run actions --actions bot.actions`.
"""
