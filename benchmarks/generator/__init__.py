"""The benchmarks' repositories: the synthetic models package and its two commits
(``models``), and the history shaped like a real application's of ``real-shape``
(``realplan``: what each commit does; ``realtexts``: the files' texts; ``realrepo``: the
commits written with ``git fast-import``, and the shape git counts in them)."""
