from __future__ import annotations

from schemadiff.cli import main

raise SystemExit(main())
