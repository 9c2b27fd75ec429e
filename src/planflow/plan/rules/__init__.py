"""Recurrence rules as the plan file writes them: RFC 5545 RRULE text and readable shorthands.

Parsing, checking and describing a rule belong to reading the plan; expanding a rule
into dates is the timeline's job (:mod:`planflow.timeline.recurrence`).
"""
