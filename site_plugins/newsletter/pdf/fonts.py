"""Is a CJK font installed? Without one WeasyPrint would print every Chinese character as an empty box."""

from __future__ import annotations

import os
import shutil
import subprocess

# The families templates/pdf/print.css asks for, in that order. NEWSLETTER_PDF_FONTS (comma-separated)
# replaces the list, e.g. for a machine with another CJK font (or a test that simulates none).
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
INSTALL_HINT = ("install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; "
                "other systems: the Noto CJK fonts from your package manager), then run again")


def wanted_families() -> tuple[str, ...]:
    override = os.environ.get("NEWSLETTER_PDF_FONTS")
    if override:
        return tuple(f.strip() for f in override.split(",") if f.strip())
    return CJK_FAMILIES


def installed(family: str) -> bool:
    """Whether fontconfig has a font of exactly this family that covers Simplified Chinese."""
    result = subprocess.run(["fc-list", f"{family}:lang=zh-cn", "family"], capture_output=True, text=True)
    names = {name.strip() for line in result.stdout.splitlines() for name in line.split(",")}
    return family in names


def missing_font_message() -> str | None:
    """None when a CJK font is available, else what to tell the user."""
    families = wanted_families()
    if shutil.which("fc-list") is None:
        return f"PDF: cannot look for a Chinese font: fontconfig's fc-list is missing; {INSTALL_HINT}"
    if any(installed(f) for f in families):
        return None
    return (f"PDF: no Chinese (CJK) font found (looked for {', '.join(families)}); "
            f"the PDF would show empty boxes instead of text. To fix it, {INSTALL_HINT}")
