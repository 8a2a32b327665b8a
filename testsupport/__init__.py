"""What the tests (``tests/conftest.py``) and the benchmarks (``benchmarks/``) both need, in one
place: an environment in which git works on the repository it is given (``gitenv``), and a
throwaway PostgreSQL server started as an unprivileged user (``postgres``)."""
