"""The web app: small aiohttp pages and APIs beside the Rasa server (kiosk, ...)."""
