"""Fill zh_CN translations from a JSON object {msgid: msgstr} given on stdin (keeps every other entry)."""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "src/loam/locale/zh_CN/LC_MESSAGES/messages.po"
new = json.load(sys.stdin)
with PO.open("rb") as f:
    catalog = read_po(f)
for message in catalog:
    if message.id in new:
        message.string = new[message.id]
        message.flags.discard("fuzzy")
catalog.obsolete.clear()
with PO.open("wb") as f:
    write_po(f, catalog, width=120)
missing = [m.id for m in catalog if m.id and not m.string]
print(f"{len(missing)} untranslated", missing[:20])
