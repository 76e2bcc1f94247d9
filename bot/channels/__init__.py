"""Messaging channel adapters (Telegram, Zalo) in front of the Rasa assistant."""
