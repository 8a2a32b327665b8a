from __future__ import annotations

from schemadiff._entry import main

raise SystemExit(main())
