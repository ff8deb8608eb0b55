"""Shared layer of the marketing platform: domain models, services and data access."""
