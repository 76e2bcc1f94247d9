"""Test doubles of the services the assistant talks to, served on 127.0.0.1."""
