"""Benchmarks that measure the server, not the client (issue 12).

`wrk` replays pre-built, pre-signed HTTP requests (a Python load generator on the
same two cores costs 15-20x wrk's CPU per request and hides the ceiling), and
each production path is measured next to a minimal endpoint doing the same
durable work (`ceilings`) and to the same work done through the production
app's stack (`floors`), in interleaved runs. Per run: ops/s, p50/p99, CPU per
operation of the server process and of the PostgreSQL backends, PostgreSQL
transactions and new sessions, and the machine's load. Statements and round
trips per operation come from a separate, sequential calibration with
PostgreSQL's statement log switched on for the bench database only.

Run: `python -m bench.wrk.run --path all` (see `bench.wrk.run`).
"""
