"""Rasa custom actions: thin adapters that read slots, call the core, and reply.

The action server (`bot actions`, bot/action_server.py) loads this package.
"""
