"""Look at a Markdown report (``--format markdown``) roughly as GitHub shows it: a PNG.

    schemadiff origin/main...HEAD --format markdown > report.md
    .venv/bin/python scripts/preview_markdown.py report.md report.png [--open] [--height 3000]

The Markdown becomes HTML through markdown-it-py (GitHub-flavoured enough: tables, raw HTML such
as ``<details>``, strikethrough), with a stylesheet after GitHub's comment styles; each
```` ```mermaid ```` block is drawn by mermaid.js in the page, and headless Chromium takes the
screenshot of the top ``--height`` pixels. ``--open`` opens every ``<details>`` block.

Needs: markdown-it-py (in .venv already: rich depends on it); Chromium and a colour emoji font
from the OS packages (``apt-get install chromium fonts-noto-color-emoji``: without the font the
report's emoji are empty boxes); mermaid in ``.venv/mermaid``, which ``EXTRAS=test
scripts/install.sh`` puts there. Nothing is fetched from the network: the page loads mermaid.js
from that folder.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
MERMAID_JS = ROOT / ".venv" / "mermaid" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

STYLE = """
body { margin: 0; background: #fff; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial,
  sans-serif, "Noto Color Emoji"; }
.comment { width: 880px; margin: 16px auto; border: 1px solid #d1d9e0; border-radius: 6px; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
  color: #59636e; border-radius: 6px 6px 0 0; }
.markdown-body { padding: 16px; }
.markdown-body > :first-child { margin-top: 0; }
p, ul, table, pre, blockquote, details { margin: 0 0 16px; }
h4 { font-size: 1em; font-weight: 600; margin: 24px 0 16px; }
code { font: 85% ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
  monospace; background: rgba(129, 139, 152, 0.12); padding: 0.2em 0.4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; font-size: 85%;
  line-height: 1.45; }
pre code { background: none; padding: 0; font-size: 100%; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%;
  overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
tr:nth-child(2n) { background: #f6f8fa; }
blockquote { color: #59636e; border-left: 0.25em solid #d1d9e0; padding: 0 1em; margin-left: 0; }
summary { cursor: pointer; }
ul { padding-left: 2em; }
.mermaid { background: none; text-align: center; }
"""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>{style}</style>
<script src="{mermaid}"></script></head>
<body><div class="comment"><div class="comment-header"><b>github-actions</b> bot commented</div>
<div class="markdown-body">{body}</div></div>
<script>
mermaid.initialize({{ startOnLoad: false, theme: "default" }});
mermaid.run({{ querySelector: ".mermaid" }});
</script></body></html>
"""


def to_html(markdown: str, open_details: bool = False) -> str:
    renderer = MarkdownIt("commonmark", {"html": True, "breaks": True})
    renderer.enable(["table", "strikethrough"])
    default_fence = renderer.renderer.rules["fence"]

    def fence(_self, tokens, index, options, env):  # markdown-it's render-rule signature
        token = tokens[index]
        if token.info.strip() == "mermaid":
            return f'<pre class="mermaid">{html.escape(token.content)}</pre>\n'
        return default_fence(tokens, index, options, env)

    renderer.add_render_rule("fence", fence)
    body = renderer.render(markdown)
    if open_details:
        body = body.replace("<details>", "<details open>")
    return PAGE.format(style=STYLE, mermaid=MERMAID_JS.as_uri(), body=body)


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="preview-profile-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("markdown", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--open", action="store_true", help="open every <details> block")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args()
    if not MERMAID_JS.exists():
        sys.exit(f"{MERMAID_JS} is missing: run EXTRAS=test scripts/install.sh")
    page_html = to_html(args.markdown.read_text(encoding="utf-8"), args.open)
    with tempfile.TemporaryDirectory(prefix="preview-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(page_html, encoding="utf-8")
        screenshot(page, args.png.resolve(), args.width, args.height)
    print(args.png)


if __name__ == "__main__":
    main()
