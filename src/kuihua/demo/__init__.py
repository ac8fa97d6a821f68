"""Deterministic demo and scale-test data: `kuihua demo`, `kuihua seed`, `kuihua bench seed`.

Everything here is invented: the names, ID numbers and phone numbers belong to
nobody (ID numbers carry a valid check digit so that the registry accepts them).
"""
