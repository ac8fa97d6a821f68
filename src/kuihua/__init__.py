"""Kuihua (葵花): a neighbourhood committee and its social organizations, working together."""

__version__ = "0.1.0"
