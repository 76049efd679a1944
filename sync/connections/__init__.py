"""A stored connection: its connector (built with its secrets), the site facts it caches, its
tracker health, its test."""
