"""The benchmarks are scripts run on demand (see README.md), never tests.

pytest's testpaths (tests/) already leave this folder out; this keeps an
explicit ``pytest benchmarks`` from importing the scripts.
"""

collect_ignore_glob = ["*.py"]
